import { loadProject } from '../project.js';

/** What `list` can list, in the order it lists them. */
export const LIST_WHAT = ['profiles', 'plugins', 'rules'] as const;
export type ListWhat = (typeof LIST_WHAT)[number];

/** Plain tab-separated lines, so that `list` can be piped into other tools. */
export async function runList(what: ListWhat[], options: { plugin: string[]; rulesDir: string[] }): Promise<string> {
  const project = await loadProject({ plugins: options.plugin, rulesDirs: options.rulesDir });
  const sections: string[] = [];
  const all: readonly ListWhat[] = what.length === 0 ? LIST_WHAT : what;
  if (all.includes('profiles')) {
    sections.push(
      section(
        'profiles',
        project.profiles.map((p) => [p.id, `${p.proposal ? 'proposal on ' : ''}${p.kernel}`, p.summary]),
      ),
    );
  }
  if (all.includes('plugins')) {
    sections.push(
      section(
        'plugins',
        project.plugins.map((p) => [
          p.id,
          p.kernels.join(', '),
          `${p.summary}; module init: ${p.modules.map((m) => `${m.init}()`).join(', ')}${p.variants.length > 0 ? `; variants: ${p.variants.join(', ')}` : ''}`,
        ]),
      ),
    );
  }
  if (all.includes('rules')) {
    sections.push(
      section(
        'rules',
        project.rules.map((r) => [r.id, r.severity, r.summary]),
      ),
    );
  }
  return sections.join('\n');
}

function section(title: string, rows: string[][]): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  const body = rows.map((row) => '  ' + row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i]!) : cell)).join('  '));
  return [`${title}:`, ...body, ''].join('\n');
}
