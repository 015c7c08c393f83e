import { compareLocations, type Location } from './location.js';

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
  return (
    compareText(a.arch, b.arch) ||
    compareLocations(a.location, b.location) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.message, b.message)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
