import { displayPath, formatLocation, majorMinor } from '@kvm-rules/core';
import { ExitCode } from '../exit-codes.js';
import type { ArchSource, HookSource, InitFlow, InitStatement, ModuleSource, StateAccess, StatementUndo } from '@kvm-rules/kernel-source';
import { describeStep, type Unwinding } from '@kvm-rules/core';
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

/** The failure points of an init function: where the error leaves, whose error it is, the path to the return, and what it leaves set up. */
function failureLines(unwinding: Unwinding, flow: InitFlow, indent: string): string[] {
  const lines: string[] = [];
  unwinding.failures.forEach((failure, i) => {
    const point = flow.failures[i]!;
    const whose = failure.failing ? `${describeStep(failure.failing)} fails` : 'fails on its own';
    lines.push(`${indent}${where(failure.location)}  \`${failure.text}\`: ${whose}`);
    const steps = [...new Map(point.paths.flatMap((p) => p.steps).filter((s) => s.call).map((s) => [`${s.place.line}:${s.place.column}`, s])).values()];
    lines.push(`${indent}    failure path: ${steps.length > 0 ? steps.map((s) => `${s.call}() at ${where(s.place)}`).join(', ') : 'returns at once'}`);
    for (const undone of failure.undone) lines.push(`${indent}    undoes ${describeStep(undone.setUp)} with ${undone.call}() at ${where(undone.location)}`);
    for (const missing of failure.missing) lines.push(`${indent}    leaves ${describeStep(missing)} set up: ${missing.what.join(', ')} (undo: ${missing.undo}())`);
  });
  return lines;
}

function statementLines(statement: InitStatement, id: string, flags: string[], need: StatementUndo | undefined): string[] {
  const what = statement.call ? `${statement.call}()` : statement.text;
  const shown = flags.filter(Boolean).join(', ');
  const lines = [`    ${where(statement.place)}  ${what}${id !== statement.call ? `  "${id}"` : ''}${shown ? `  [${shown}]` : ''}`];
  if (need) lines.push(`        sets up ${need.what.join(', ')}; undo: ${need.undo}() (${need.evidence.kind}: ${need.evidence.text})`);
  return lines;
}

function moduleLines(module: ModuleSource): string[] {
  const exit = module.exit ? `  module_exit: ${module.exit.name}()` : '  no module_exit()';
  const lines = [`  module init ${module.init.name}()  ${module.init.file}:${module.init.line}${exit}`];
  if (module.kconfig) {
    const { symbol, loadable, text, location } = module.kconfig;
    const kind = loadable ? 'can be a module loaded at run time' : 'built in only: no userspace exists while its init runs';
    lines.push(`    ${symbol}: \`${text}\` at ${where(location)}: ${kind}`);
  }
  module.statements.forEach(({ statement, writes, afterKvmInit, noEffect }, i) => {
    const flags = [statement.conditional ? 'conditional' : '', statement.loop ? 'loop' : '', statement.canFail ? 'can fail' : '', noEffect ? 'no effect' : '', afterKvmInit ? 'after kvm_init()' : ''];
    lines.push(...statementLines(statement, module.ids[i]!, flags, module.unwound.needs.get(i)));
    for (const write of writes) {
      const via = write.chain.length > 0 ? ` via ${chainText(write)}` : '';
      lines.push(`        writes ${write.state}${via}  at ${where(write.place)}`);
    }
  });
  if (module.unwound.unwinding.failures.length > 0) lines.push(`  failure points of ${module.init.name}()`, ...failureLines(module.unwound.unwinding, module.flow, '    '));
  return lines;
}

function hookLines(hook: HookSource, written: Set<string>, all: boolean): string[] {
  const lines = [`  ${hook.role} hook ${hook.name}()  ${hook.def.file}:${hook.def.line}${hook.noop ? '  [no-op]' : ''}`];
  const reads = hook.reads.filter((read) => all || written.has(read.state));
  for (const read of reads) lines.push(`      ${read.write ? 'writes' : 'reads'} ${read.state} via ${chainText(read)}  at ${where(read.place)}`);
  if (reads.length === 0) lines.push(all ? '      reads no file-scope state' : '      reads no state that module init writes');
  if (hook.unwound) {
    // A setup hook kvm_init() runs: read like a module init.
    const { flow, ids, result, exit } = hook.unwound;
    lines.push(`      setup hook, read like module init; exit counterpart: ${exit ? `${exit.name}()` : 'none'}`);
    flow.statements.forEach((statement, i) => {
      const flags = [statement.conditional ? 'conditional' : '', statement.canFail ? 'can fail' : ''];
      lines.push(...statementLines(statement, ids[i]!, flags, result.needs.get(i)).map((line) => `    ${line}`));
    });
    if (result.unwinding.failures.length > 0) lines.push(`      failure points of ${hook.name}()`, ...failureLines(result.unwinding, flow, '        '));
  }
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
  const generic = analysis.profile.unwinding;
  if (generic && analysis.generic) lines.push('', 'generic', `  failure points of kvm_init()`, ...failureLines(generic, analysis.generic, '    '));
  for (const source of analysis.sources) lines.push(...archLines(source, options.all ?? false));
  const unread = analysis.sources.some((source) => source.problems.some((problem) => problem.severity === 'error'));
  return { output: lines.join('\n') + '\n', exitCode: unread ? ExitCode.findings : ExitCode.clean };
}
