// gcc's diagnostic lines (docs/formats.md), which make, vim's quickfix and Emacs' compile mode
// read as they read the compiler's: `FILE:LINE:COLUMN: error: MESSAGE [RULE]` per finding, then a
// `note:` line per related place. Paths are relative to the working directory, as gcc prints the
// paths it was given, so that an editor opens them from where the command ran.
import { displayPath, type Finding, type Location } from '@kvm-rules/core';
import { absolutePathOf } from './shared.js';
import type { CheckResult, Formatter } from './types.js';

/** What gcc prints before a diagnostic that has no place in a file (`gcc: error: …`, `cc1: warning: …`). */
export const PROGRAM = 'kvm-rules';

/** One diagnostic per line: a message never carries a line break into the next one. */
const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ');

function place(location: Location, result: CheckResult): string {
  return `${displayPath(absolutePathOf(location.file, result))}:${location.line}:${location.column}`;
}

function diagnostic(finding: Finding, result: CheckResult): string[] {
  const where = finding.location ? place(finding.location, result) : PROGRAM;
  const lines = [`${where}: ${finding.severity}: ${oneLine(finding.message)} [${finding.ruleId}]`];
  for (const related of finding.related ?? []) lines.push(`${place(related.location, result)}: note: ${oneLine(related.message)}`);
  return lines;
}

const gcc: Formatter = (result) =>
  result.findings
    .flatMap((finding) => diagnostic(finding, result))
    .map((line) => `${line}\n`)
    .join('');

export default gcc;
