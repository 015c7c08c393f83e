import { createHash } from 'node:crypto';
import { compareLocations, compareText, type Location } from './location.js';

export type FindingSeverity = 'error' | 'warning';

export interface RelatedLocation {
  message: string;
  location: Location;
}

/** One result of a rule. The JSON formatter writes these as they are (see docs/json-output.md). */
export interface Finding {
  ruleId: string;
  severity: FindingSeverity;
  /** The plugin id, or "generic" for findings about the profile itself. */
  arch: string;
  profile: string;
  message: string;
  location?: Location;
  related?: RelatedLocation[];
}

export const GENERIC_ARCH = 'generic';

/** Deterministic order: arch, then place, then rule, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.arch, b.arch) || compareLocations(a.location, b.location) || compareText(a.ruleId, b.ruleId) || compareText(a.message, b.message);
}

/** Sorted, with exact repeats (the same finding from two module inits of one arch) removed. */
export function sortFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return [...findings].sort(compareFindings).filter((finding) => {
    const key = JSON.stringify(finding);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function summarize(findings: Finding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const finding of findings) if (finding.severity === 'error') errors++;
  return { errors, warnings: findings.length - errors };
}

/**
 * A stable identity of a finding across runs, for SARIF's partialFingerprints: the sha256 (hex)
 * of the rule id, the arch and the message, NUL-separated. Neither the finding's location nor
 * line numbers are part of it, so it survives unrelated line shifts: the profile id is removed
 * from the message ("under kernel-6.12.117" and "under kernel-6.12.118" are one finding), and so
 * are line and column numbers a message cites after a file name (`vmx.c:8600` reads `vmx.c`).
 */
export function fingerprintOf(finding: Finding): string {
  const message = (finding.profile === '' ? finding.message : finding.message.split(finding.profile).join('')).replace(
    /(\.[A-Za-z][A-Za-z0-9]*):\d+(?::\d+)?/g,
    '$1',
  );
  return createHash('sha256').update(`${finding.ruleId}\0${finding.arch}\0${message}`).digest('hex');
}
