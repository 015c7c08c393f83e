// GitHub Actions workflow commands (docs/formats.md): one ::error or ::warning line per finding,
// which the runner turns into an annotation on the file and line.
import { formatLocation, type Finding } from '@kvm-rules/core';
import type { CheckResult } from './types.js';

/** A command's message: %, CR and LF escaped, as @actions/core does. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: also the separators ":" and ",". */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(finding: Finding): string {
  const properties: [string, string | number][] = [];
  if (finding.location) {
    properties.push(['file', finding.location.file], ['line', finding.location.line], ['col', finding.location.column]);
  }
  properties.push(['title', `${finding.ruleId} (${finding.arch})`]);
  // The related places follow the message, one a line, as the annotation shows them.
  const message = [finding.message, ...(finding.related ?? []).map((r) => `↳ ${formatLocation(r.location)}  ${r.message}`)].join('\n');
  const props = properties.map(([name, value]) => `${name}=${escapeProperty(String(value))}`).join(',');
  return `::${finding.severity} ${props}::${escapeData(message)}`;
}

const github = (result: CheckResult): string => result.findings.map((finding) => `${command(finding)}\n`).join('');

export default github;
