// A plain-text report to send in reply to a patch (docs/formats.md): no color, every line
// shorter than 80 columns but for a long URL, a summary first, then each finding: what, where,
// why, the rule in one sentence and its page on the web, the places involved.
import { formatLocation, type Finding } from '@kvm-rules/core';
import { links } from './links.js';
import { plural, rulesOf, toolVersion } from './shared.js';
import type { CheckResult, Formatter, RuleInfo } from './types.js';
import { codePoints } from './wrap.js';

/** Lines are at most this many columns (mail's customary 72; the limit is 79). */
export const MAIL_WIDTH = 72;

const columns = (text: string): number => codePoints(text).length;

/** A web address: never cut, since a cut one no longer opens. */
const isUrl = (word: string) => /^https?:\/\//.test(word);

/**
 * Fills words into lines of at most `width` columns, the first line after `first`, the others
 * after `rest` (both counted). A word longer than a line (a long path) is cut, but for a URL,
 * which gets a line of its own however long (as checkpatch lets a URL pass its line length).
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
    while (columns(word) > room(line) && !isUrl(word)) {
      const chars = codePoints(word);
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

function findingLines(finding: Finding, number: string, rule: RuleInfo | undefined, page: string | undefined): string[] {
  const lines = wrap(`${finding.severity} in ${finding.arch}: rule ${finding.ruleId}`, `${number} `);
  const label = (name: string) => `    ${name.padEnd(7)}`;
  const indent = ' '.repeat(11);
  lines.push(...wrap(finding.location ? formatLocation(finding.location) : '(no file: the finding is about the whole check)', label('Where:'), indent));
  lines.push(...wrap(finding.message, label('Why:'), indent));
  // The rule in one sentence: what its kind checks (a result read back from JSON has only the rule file's summary).
  const explained = [rule?.description, rule?.summary].find(Boolean);
  if (explained) lines.push(...wrap(explained, label('Rule:'), indent));
  if (page) lines.push(...wrap(page, label('Docs:'), indent));
  const related = finding.related ?? [];
  if (related.length > 0) lines.push(...wrap('See the places involved:', label('Fix:'), indent));
  for (const place of related) {
    lines.push(...wrap(formatLocation(place.location), `${indent}  `));
    lines.push(...wrap(place.message, `${indent}    `));
  }
  return lines;
}

const mail: Formatter = (result, { docsBaseUrl }) => {
  const rules = new Map(rulesOf(result).map((rule) => [rule.id, rule]));
  const where = links(docsBaseUrl);
  const lines = summary(result);
  const total = result.findings.length;
  result.findings.forEach((finding, i) => {
    const rule = rules.get(finding.ruleId);
    lines.push('', ...findingLines(finding, `[${i + 1}/${total}]`, rule, rule && where.rule(rule)));
  });
  lines.push(
    '',
    '-- ',
    ...wrap(`kvm-rules ${toolVersion}, a checker of the initialization ordering of the Linux KVM module, per architecture.`, ''),
    ...(where.home ? [where.home] : []),
  );
  return lines.join('\n') + '\n';
};

export default mail;
