import { displayPath, formatLocation, majorMinor } from '@kvm-rules/core';
import { ExitCode } from '../exit-codes.js';
import type { ArchSource, HookSource, ModuleSource, StateAccess } from '@kvm-rules/kernel-source';
import { loadProject } from '../project.js';

export interface DepsOptions {
  kernel: string;
  arch: string[];
  plugin: string[];
  /** Every state a hook reads, not only the state that init code writes. */
  all?: boolean;
}

const where = (place: { file: string; line: number; column: number }) => formatLocation(place);

function chainText(access: StateAccess): string {
  return access.chain.map((node) => `${node.def.name}()`).join(' → ');
}

function moduleLines(module: ModuleSource): string[] {
  const lines = [`  module init ${module.init.name}()  ${module.init.file}:${module.init.line}`];
  for (const { statement, writes, afterKvmInit } of module.statements) {
    const flags = [statement.conditional ? 'conditional' : '', statement.loop ? 'loop' : '', statement.canFail ? 'can fail' : '', afterKvmInit ? 'after kvm_init()' : '']
      .filter(Boolean)
      .join(', ');
    const what = statement.call ? `${statement.call}()` : statement.text;
    lines.push(`    ${where(statement.place)}  ${what}${flags ? `  [${flags}]` : ''}`);
    for (const write of writes) {
      const via = write.chain.length > 0 ? ` via ${chainText(write)}` : '';
      lines.push(`        writes ${write.state}${via}  at ${where(write.place)}`);
    }
    for (const undo of statement.undo) lines.push(`        on failure: ${undo.call}()  at ${where(undo.place)}`);
  }
  return lines;
}

function hookLines(hook: HookSource, written: Set<string>, all: boolean): string[] {
  const lines = [`  ${hook.role} hook ${hook.name}()  ${hook.def.file}:${hook.def.line}${hook.noop ? '  [no-op]' : ''}`];
  const reads = hook.reads.filter((read) => all || written.has(read.state));
  for (const read of reads) lines.push(`      ${read.write ? 'writes' : 'reads'} ${read.state} via ${chainText(read)}  at ${where(read.place)}`);
  if (reads.length === 0) lines.push(all ? '      reads no file-scope state' : '      reads no state that module init writes');
  return lines;
}

function archLines(source: ArchSource, all: boolean): string[] {
  const written = new Set(source.modules.flatMap((m) => m.statements.flatMap((s) => s.writes.map((w) => w.state))));
  const lines = ['', source.arch];
  for (const problem of source.problems) lines.push(`  ${problem.severity}: ${problem.message}  at ${formatLocation(problem.location)}`);
  for (const module of source.modules) lines.push(...moduleLines(module));
  for (const hook of source.hooks) lines.push(...hookLines(hook, written, all));
  return lines;
}

/**
 * `kvm-rules deps --kernel DIR`: what the analysis read, per arch, for a maintainer to check.
 * Exit 1 when an arch could not be read (its problems are printed with it).
 */
export async function runDeps(options: DepsOptions): Promise<{ output: string; exitCode: number }> {
  const { analyzeKernel, KernelTree } = await import('@kvm-rules/kernel-source');
  const project = await loadProject({ archs: options.arch, plugins: options.plugin });
  const tree = KernelTree.open(options.kernel);
  const analysis = await analyzeKernel(tree, { plugins: project.pluginsFor(majorMinor(tree.version)), profiles: project.profiles });
  const lines = [`Linux ${tree.version} at ${displayPath(tree.root)}; generic ordering: kvm_init() in ${analysis.profile.file}`];
  for (const source of analysis.sources) lines.push(...archLines(source, options.all ?? false));
  const unread = analysis.sources.some((source) => source.problems.some((problem) => problem.severity === 'error'));
  return { output: lines.join('\n') + '\n', exitCode: unread ? ExitCode.findings : ExitCode.clean };
}
