import { displayPath, formatLocation, type Finding } from '@kvm-rules/core';
import { createColors } from 'picocolors';
import { BUILTIN_PLUGINS } from '../project.js';
import { countsForExit, groupByArch, isPluginDrift, plural } from './shared.js';
import type { CheckResult, Formatter } from './types.js';

type Colors = ReturnType<typeof createColors>;

/** What the baseline did: how many known findings it kept quiet, and which of its entries can go. */
function baselineLines(result: CheckResult, c: Colors): string[] {
  const baseline = result.baseline;
  if (!baseline) return [];
  const lines = [c.dim(`${plural(baseline.suppressed, 'known finding')} not shown (baseline ${baseline.file})`)];
  if (baseline.stale.length === 0) return lines;
  const one = baseline.stale.length === 1;
  lines.push(c.yellow(`${baseline.stale.length} baseline ${one ? 'entry no longer matches' : 'entries no longer match'} a finding; remove ${one ? 'it' : 'them'} from ${baseline.file}:`));
  for (const entry of baseline.stale) lines.push(`  ${entry.arch}  ${entry.ruleId}  ${entry.message}`);
  return lines;
}

/** One finding: severity, message and rule, then where, then the related places; `indent` more to the right. */
function findingLines(finding: Finding, c: Colors, indent = ''): string[] {
  const severity = finding.severity === 'error' ? c.red('error  ') : c.yellow('warning');
  const lines = [`${indent}  ${severity}  ${finding.message}  ${c.dim(finding.ruleId)}`];
  if (finding.location) lines.push(`${indent}           ${c.dim('at')} ${formatLocation(finding.location)}`);
  for (const related of finding.related ?? []) {
    lines.push(`${indent}           ${c.dim('↳')} ${formatLocation(related.location)}  ${c.dim(related.message)}`);
  }
  return lines;
}

/**
 * Plugin drift in a block of its own, after the findings about the kernel: it says that a
 * plugin of kvm-rules is out of date with the tree, and, at its default severity, does not
 * change the exit code. Per arch: how many differences, where to see what the tree has, then each.
 */
function driftLines(drift: Finding[], result: CheckResult, c: Colors): string[] {
  if (drift.length === 0) return [];
  const failing = drift.some((f) => f.severity === 'error');
  const why = failing
    ? 'plugin-drift is configured as error: these fail the check'
    : 'about kvm-rules, not the kernel: they do not change the exit code; `rules: { plugin-drift: error }` makes them fail';
  const lines = ['', c.underline('plugins out of date with this tree') + c.dim(` (${why})`)];
  const builtin = new Set(BUILTIN_PLUGINS.map((name) => name.replace('@kvm-rules/plugin-', '')));
  for (const [arch, findings] of groupByArch(drift)) {
    const deps = result.kernel
      ? `, see \`kvm-rules deps --kernel ${displayPath(result.kernel.root)}${builtin.has(arch) ? '' : ' --plugin …'} --arch ${arch}\``
      : '';
    lines.push(`  the ${arch} plugin is out of date with this tree: ${plural(findings.length, 'difference')}${deps}`);
    for (const finding of findings) lines.push(...findingLines(finding, c, '  '));
  }
  return lines;
}

/** ESLint's stylish, grouped per arch instead of per file, since one arch spans several files. */
const stylish: Formatter = (result, { color }) => {
  const c = createColors(color);
  const lines: string[] = [];
  const drift = result.findings.filter((finding) => isPluginDrift(finding, result));
  for (const [arch, findings] of groupByArch(result.findings.filter((finding) => !drift.includes(finding)))) {
    lines.push('', c.underline(arch));
    for (const finding of findings) lines.push(...findingLines(finding, c));
  }
  lines.push(...driftLines(drift, result, c));
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
    lines.push(c.green(`✔ no problems: ${scope}`));
  } else {
    const paint = errors > 0 ? c.red : c.yellow;
    lines.push('', paint(c.bold(`✖ ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}): ${scope}`)));
  }
  lines.push(...baselineLines(result, c));
  return lines.join('\n') + '\n';
};

export default stylish;
