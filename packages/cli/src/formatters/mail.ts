// A plain-text report to send in reply to a patch (docs/formats.md): no color, every line
// shorter than 80 columns, a summary first, then each finding: what, where, why, how to fix.
import { formatLocation, type Finding } from '@kvm-rules/core';
import { plural, rulesOf, toolVersion } from './shared.js';
import type { CheckResult, RuleInfo } from './types.js';

/** Lines are at most this many columns (mail's customary 72; the limit is 79). */
export const MAIL_WIDTH = 72;

const columns = (text: string): number => [...text].length;

/**
 * Fills words into lines of at most `width` columns, the first line after `first`, the others
 * after `rest` (both counted). A word longer than a line (a long path) is cut.
 */
export function wrap(text: string, first: string, rest = ' '.repeat(columns(first)), width = MAIL_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  const room = (prefix: string) => Math.max(1, width - columns(prefix));
  for (let word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && columns(line) + 1 + columns(word) <= width) {
      line += ` ${word}`;
      continue;
    }
    if (!empty) {
      lines.push(line);
      line = rest;
    }
    while (columns(word) > room(line)) {
      const chars = [...word];
      lines.push(line + chars.slice(0, room(line)).join(''));
      word = chars.slice(room(line)).join('');
      line = rest;
    }
    line += word;
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

function summary(result: CheckResult): string[] {
  const { errors, warnings } = result.summary;
  const found = errors + warnings === 0 ? 'no problems' : `${plural(errors, 'error')} and ${plural(warnings, 'warning')}`;
  const scope = result.kernel ? `of Linux ${result.kernel.version}` : `under profile ${result.profile}`;
  const headline = `kvm-rules found ${found} in ${plural(result.archs.length, 'arch')} ${scope}.`;
  const lines = [...wrap(headline, ''), ''];
  lines.push(...wrap(result.profile, '  Profile:  '));
  lines.push(...wrap(result.archs.join(', '), '  Archs:    '));
  const variants = Object.entries(result.variants).map(([arch, variant]) => `${arch}=${variant}`);
  if (variants.length > 0) lines.push(...wrap(variants.join(', '), '  Variants: '));
  if (result.kernel) lines.push(...wrap(`Linux ${result.kernel.version}`, '  Kernel:   '));
  lines.push(...wrap(`${plural(errors, 'error')}, ${plural(warnings, 'warning')}`, '  Found:    '));
  return lines;
}

function findingLines(finding: Finding, number: string, rule: RuleInfo | undefined): string[] {
  const lines = wrap(`${finding.severity} in ${finding.arch}: rule ${finding.ruleId}`, `${number} `);
  const label = (name: string) => `    ${name.padEnd(7)}`;
  const indent = ' '.repeat(11);
  lines.push(...wrap(finding.location ? formatLocation(finding.location) : '(no file: the finding is about the whole check)', label('Where:'), indent));
  lines.push(...wrap(finding.message, label('Why:'), indent));
  if (rule?.summary) lines.push(...wrap(rule.summary, label('Rule:'), indent));
  const related = finding.related ?? [];
  const places = related.length ? 'the places involved:' : '';
  const fix = rule?.docs ? `See ${rule.docs}${places ? `, and ${places}` : '.'}` : places && `See ${places}`;
  if (fix) lines.push(...wrap(fix, label('Fix:'), indent));
  for (const place of related) {
    lines.push(...wrap(formatLocation(place.location), `${indent}  `));
    lines.push(...wrap(place.message, `${indent}    `));
  }
  return lines;
}

const mail = (result: CheckResult): string => {
  const rules = new Map(rulesOf(result).map((rule) => [rule.id, rule]));
  const lines = summary(result);
  const total = result.findings.length;
  result.findings.forEach((finding, i) => {
    lines.push('', ...findingLines(finding, `[${i + 1}/${total}]`, rules.get(finding.ruleId)));
  });
  lines.push(
    '',
    '-- ',
    ...wrap(`kvm-rules ${toolVersion}, a checker of the initialization ordering of the Linux KVM module, per architecture.`, ''),
  );
  return lines.join('\n') + '\n';
};

export default mail;
