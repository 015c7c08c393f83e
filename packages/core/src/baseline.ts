// Baselines: findings a project has accepted for now, by fingerprint, so that CI fails only on
// new ones. An entry that no longer matches a finding is reported, so that baselines shrink.
import { writeFileSync } from 'node:fs';
import { displayPath } from './load/files.js';
import { validateSource } from './load/validate.js';
import { readSourceFile } from './load/yaml-source.js';
import { fingerprintOf, type Finding } from './model/finding.js';
import { baselineSchema, type BaselineFile } from './schemas/index.js';

export type BaselineEntry = BaselineFile['findings'][number];

export interface BaselineOutcome {
  /** The findings the baseline does not know. */
  findings: Finding[];
  /** How many findings it suppressed. */
  suppressed: number;
  /** Entries no finding matched any more: fixed, and ready to be removed. */
  stale: BaselineEntry[];
}

export function readBaseline(path: string): BaselineEntry[] {
  const source = readSourceFile(path, displayPath(path));
  return [...validateSource(source, baselineSchema).findings];
}

/** Each entry suppresses one finding with its fingerprint (two equal findings need two entries). */
export function applyBaseline(findings: Finding[], entries: BaselineEntry[]): BaselineOutcome {
  const left = new Map<string, BaselineEntry[]>();
  for (const entry of entries) left.set(entry.fingerprint, [...(left.get(entry.fingerprint) ?? []), entry]);
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const finding of findings) {
    const matches = left.get(fingerprintOf(finding));
    if (matches && matches.length > 0) {
      matches.shift();
      suppressed++;
    } else {
      kept.push(finding);
    }
  }
  return { findings: kept, suppressed, stale: [...left.values()].flat() };
}

/** The baseline of these findings, in finding order: deterministic, one entry a finding. */
/** The baseline file's text for these findings. */
export function baselineText(findings: Finding[]): string {
  const file: BaselineFile = {
    kvmRulesBaseline: 1,
    findings: findings.map((f) => ({ fingerprint: fingerprintOf(f), ruleId: f.ruleId, arch: f.arch, message: f.message })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function writeBaseline(path: string, findings: Finding[]): void {
  writeFileSync(path, baselineText(findings));
}
