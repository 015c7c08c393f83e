import { displayPath, formatLocation, type Finding, type Location } from '@kvm-rules/core';
import { createColors } from 'picocolors';
import { BUILTIN_PLUGINS } from '../project.js';
import { countsForExit, groupByArch, isPluginDrift, plural } from './shared.js';
import type { CheckResult, Formatter } from './types.js';
import { columns, DEFAULT_WIDTH, fill, spacesUnder, words, type Paint, type Word } from './wrap.js';

type Colors = ReturnType<typeof createColors>;

/** A line of text fitted to the width, continuation lines indented `hang` more; all of it in one paint. */
function paragraph(text: string, width: number, indent: string, hang: number, paint?: Paint): string[] {
  return fill(words(text, paint), indent, indent + ' '.repeat(hang), width);
}

/** What the baseline did: how many known findings it kept quiet, and which of its entries can go. */
function baselineLines(result: CheckResult, c: Colors, width: number): string[] {
  const baseline = result.baseline;
  if (!baseline) return [];
  const lines = paragraph(`${plural(baseline.suppressed, 'known finding')} not shown (baseline ${baseline.file})`, width, '', 2, c.dim);
  if (baseline.stale.length === 0) return lines;
  const one = baseline.stale.length === 1;
  const stale = `${baseline.stale.length} baseline ${one ? 'entry no longer matches' : 'entries no longer match'} a finding; remove ${one ? 'it' : 'them'} from ${baseline.file}:`;
  lines.push(...paragraph(stale, width, '', 2, c.yellow));
  for (const entry of baseline.stale) lines.push(...fill(words(`${entry.arch}  ${entry.ruleId}  ${entry.message}`), '  ', '      ', width));
  return lines;
}

/** Where the message of a finding starts: after `  error    `. */
const MESSAGE_COLUMN = 11;
/** A related place's message wraps under itself while that leaves it this many columns and every word fits; else it starts below its place. */
const RELATED_ROOM = 30;

/**
 * One finding: severity, message and rule, then where, then the related places; `indent` more to
 * the right. The message wraps under itself; the rule id ends its last line, with the word
 * before it (alone only when the two would not fit on any line).
 */
function findingLines(finding: Finding, c: Colors, width: number, indent = ''): string[] {
  const severity = finding.severity === 'error' ? c.red('error  ') : c.yellow('warning');
  const under = `${indent}${' '.repeat(MESSAGE_COLUMN)}`;
  const message = [...words(finding.message), { text: finding.ruleId, space: '  ', paint: c.dim, glued: 'if-they-fit' as const }];
  const lines = fill(message, `${indent}  ${severity}  `, under, width);
  // A place stays with the word that introduces it (`at`, `↳`): a line over the width is one path.
  const place = (mark: string, location: Location): Word[] => [...words(mark, c.dim), { text: formatLocation(location), space: ' ', glued: 'always' }];
  if (finding.location) lines.push(...fill(place('at', finding.location), under, `${under}  `, width));
  for (const related of finding.related ?? []) {
    const head = `${under}↳ ${formatLocation(related.location)}  `;
    const text = words(related.message, c.dim);
    const room = width - columns(head);
    const narrow = width > 0 && (room < RELATED_ROOM || text.some((word) => columns(word.text) > room));
    if (narrow) {
      lines.push(...fill(place('↳', related.location), under, `${under}  `, width), ...fill(text, `${under}  `, `${under}  `, width));
      continue;
    }
    const message = text.map((word, i) => (i === 0 ? { ...word, space: '  ' } : word));
    lines.push(...fill([...place('↳', related.location), ...message], under, spacesUnder(head), width));
  }
  return lines;
}

/**
 * Plugin drift in a block of its own, after the findings about the kernel: it says that a
 * plugin of kvm-rules is out of date with the tree, and, at its default severity, does not
 * change the exit code. Per arch: how many differences, where to see what the tree has, then each.
 */
function driftLines(drift: Finding[], result: CheckResult, c: Colors, width: number): string[] {
  if (drift.length === 0) return [];
  const failing = drift.some((f) => f.severity === 'error');
  const why = failing
    ? 'plugin-drift is configured as error: these fail the check'
    : 'about kvm-rules, not the kernel: they do not change the exit code; `rules: { plugin-drift: error }` makes them fail';
  const lines = ['', ...fill([...words('plugins out of date with this tree', c.underline), ...words(`(${why})`, c.dim)], '', '  ', width)];
  const builtin = new Set(BUILTIN_PLUGINS.map((name) => name.replace('@kvm-rules/plugin-', '')));
  for (const [arch, findings] of groupByArch(drift)) {
    const deps = result.kernel
      ? `, see \`kvm-rules deps --kernel ${displayPath(result.kernel.root)}${builtin.has(arch) ? '' : ' --plugin …'} --arch ${arch}\``
      : '';
    lines.push(...paragraph(`the ${arch} plugin is out of date with this tree: ${plural(findings.length, 'difference')}${deps}`, width, '  ', 2));
    for (const finding of findings) lines.push(...findingLines(finding, c, width, '  '));
  }
  return lines;
}

/** ESLint's stylish, grouped per arch instead of per file, since one arch spans several files. */
const stylish: Formatter = (result, { color, width = DEFAULT_WIDTH }) => {
  const c = createColors(color);
  const lines: string[] = [];
  const drift = result.findings.filter((finding) => isPluginDrift(finding, result));
  for (const [arch, findings] of groupByArch(result.findings.filter((finding) => !drift.includes(finding)))) {
    lines.push('', c.underline(arch));
    for (const finding of findings) lines.push(...findingLines(finding, c, width));
  }
  lines.push(...driftLines(drift, result, c, width));
  // The count is of what the exit code counts: drift warnings are not problems of the kernel.
  const { errors } = result.summary;
  const uncounted = result.findings.filter((finding) => !countsForExit(finding, result)).length;
  const warnings = result.summary.warnings - uncounted;
  const total = errors + warnings;
  const archs = result.archs.map((arch) => (result.variants[arch] ? `${arch} with variant ${result.variants[arch]}` : arch));
  const tree = result.kernel ? `, kernel tree ${displayPath(result.kernel.root)} (Linux ${result.kernel.version})` : '';
  const aside = uncounted > 0 ? `; and ${plural(uncounted, 'plugin-drift difference')}, not counted` : '';
  const scope = `profile ${result.profile}, ${plural(result.archs.length, 'arch')} (${archs.join(', ')})${tree}${aside}`;
  if (total === 0) {
    if (drift.length > 0) lines.push('');
    lines.push(...paragraph(`✔ no problems: ${scope}`, width, '', 2, c.green));
  } else {
    const paint = errors > 0 ? c.red : c.yellow;
    const bold: Paint = (text) => paint(c.bold(text));
    lines.push('', ...paragraph(`✖ ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}): ${scope}`, width, '', 2, bold));
  }
  lines.push(...baselineLines(result, c, width));
  return lines.join('\n') + '\n';
};

export default stylish;
