import { displayPath, formatLocation } from '@kvm-rules/core';
import { createColors } from 'picocolors';
import { groupByArch, plural } from './shared.js';
import type { CheckResult, Formatter } from './types.js';

/** What the baseline did: how many known findings it kept quiet, and which of its entries can go. */
function baselineLines(result: CheckResult, c: ReturnType<typeof createColors>): string[] {
  const baseline = result.baseline;
  if (!baseline) return [];
  const lines = [c.dim(`${plural(baseline.suppressed, 'known finding')} not shown (baseline ${baseline.file})`)];
  if (baseline.stale.length === 0) return lines;
  const one = baseline.stale.length === 1;
  lines.push(c.yellow(`${baseline.stale.length} baseline ${one ? 'entry no longer matches' : 'entries no longer match'} a finding; remove ${one ? 'it' : 'them'} from ${baseline.file}:`));
  for (const entry of baseline.stale) lines.push(`  ${entry.arch}  ${entry.ruleId}  ${entry.message}`);
  return lines;
}

/** ESLint's stylish, grouped per arch instead of per file, since one arch spans several files. */
const stylish: Formatter = (result, { color }) => {
  const c = createColors(color);
  const lines: string[] = [];
  for (const [arch, findings] of groupByArch(result.findings)) {
    lines.push('', c.underline(arch));
    for (const finding of findings) {
      const severity = finding.severity === 'error' ? c.red('error  ') : c.yellow('warning');
      const where = finding.location ? formatLocation(finding.location) : '';
      lines.push(`  ${severity}  ${finding.message}  ${c.dim(finding.ruleId)}`);
      if (where) lines.push(`           ${c.dim('at')} ${where}`);
      for (const related of finding.related ?? []) {
        lines.push(`           ${c.dim('↳')} ${formatLocation(related.location)}  ${c.dim(related.message)}`);
      }
    }
  }
  const { errors, warnings } = result.summary;
  const total = errors + warnings;
  const archs = result.archs.map((arch) => (result.variants[arch] ? `${arch} with variant ${result.variants[arch]}` : arch));
  const tree = result.kernel ? `, kernel tree ${displayPath(result.kernel.root)} (Linux ${result.kernel.version})` : '';
  const scope = `profile ${result.profile}, ${plural(result.archs.length, 'arch')} (${archs.join(', ')})${tree}`;
  if (total === 0) {
    lines.push(c.green(`✔ no problems: ${scope}`));
  } else {
    const paint = errors > 0 ? c.red : c.yellow;
    lines.push('', paint(c.bold(`✖ ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}): ${scope}`)));
  }
  lines.push(...baselineLines(result, c));
  return lines.join('\n') + '\n';
};

export default stylish;
