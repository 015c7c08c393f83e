import { describeStep, displayPath, formatLocation, majorMinor, type Location, type Unwinding } from '@kvm-rules/core';
import type { ArchSource, HookSource, InitFlow, InitStatement, ModuleSource, StateAccess, StatementUndo } from '@kvm-rules/kernel-source';
import { ExitCode } from '../exit-codes.js';
import { DEFAULT_WIDTH, wrapLine } from '../formatters/wrap.js';
import { readingTree, type Progress } from '../progress.js';
import { loadProject } from '../project.js';

export interface DepsOptions {
  kernel: string;
  arch: string[];
  plugin: string[];
  /** Every state a hook reads, not only the state that init code writes. */
  all?: boolean;
  /** text (default) or json (docs/formats.md). */
  format?: string;
  /** The columns text lines fit in (80 by default); 0: no limit. */
  width?: number;
  /** Where reading the tree shows how far it is (on a terminal only). */
  progress?: Progress;
}

// What `deps --format json` writes (docs/formats.md): what the text shows, as data. Paths are
// relative to the tree's root, as in findings.

export interface DepsReport {
  /** The tree read: its root (absolute, as in check's JSON) and its version. */
  kernel: { root: string; version: string };
  /** The tree's kvm_init(): its file, and its failure points. */
  generic: { file: string; failures: FailureReport[] };
  archs: ArchReport[];
}

export interface ArchReport {
  arch: string;
  /** What kept the analysis from reading part of the arch; an error means the arch could not be read. */
  problems: { severity: 'error' | 'warning'; message: string; location: Location }[];
  modules: ModuleReport[];
  hooks: HookReport[];
}

export interface ModuleReport {
  init: FunctionReport;
  /** module_exit()'s function, or null. */
  exit: string | null;
  /** The Kconfig symbol that builds the module: loadable at run time (tristate) or built in (bool). */
  kconfig: { symbol: string; loadable: boolean; text: string; location: Location } | null;
  statements: ModuleStatementReport[];
  failures: FailureReport[];
}

/** A function's name and where its definition starts (its header's first line). */
export interface FunctionReport {
  name: string;
  file: string;
  line: number;
}

export interface StatementReport {
  location: Location;
  /** The function it calls; null for a plain assignment. */
  call: string | null;
  /** Its source, first line. */
  text: string;
  /** The step id the analysis gives it (the call's name, or a name for what it sets up). */
  id: string;
  conditional: boolean;
  loop: boolean;
  canFail: boolean;
  /** What it sets up that a failure after it must undo, and the evidence; null when nothing. */
  setsUp: { what: string[]; undo: string; evidence: { kind: string; text: string } } | null;
}

export interface ModuleStatementReport extends StatementReport {
  /** It writes nothing that matters (a log line, a check). */
  noEffect: boolean;
  afterKvmInit: boolean;
  writes: AccessReport[];
}

/** File-scope state reached from a statement or a hook: through which calls (entry first), and where. */
export interface AccessReport {
  state: string;
  chain: string[];
  location: Location;
}

export interface HookReport {
  role: string;
  name: string;
  definition: FunctionReport;
  noop: boolean;
  /** The state it reads (or writes first), only state module init writes unless --all. */
  reads: (AccessReport & { write: boolean })[];
  /** A setup hook kvm_init() runs, read like a module init; null for other hooks. */
  setup: { exit: string | null; statements: StatementReport[]; failures: FailureReport[] } | null;
}

export interface FailureReport {
  location: Location;
  /** The check or return, first line. */
  text: string;
  /** The step whose error this is ("kvm_irqfd_init()"); null for a guard that fails on its own. */
  failing: string | null;
  /** The calls from the point to the return, in order (none: it returns at once). */
  path: { call: string; location: Location }[];
  undoes: { step: string; call: string; location: Location }[];
  leaves: { step: string; what: string[]; undo: string }[];
}

const place = ({ file, line, column }: Location): Location => ({ file, line, column });
const where = (location: Location) => formatLocation(location);

function access(state: StateAccess): AccessReport {
  return { state: state.state, chain: state.chain.map((node) => node.def.name), location: place(state.place) };
}

function failures(unwinding: Unwinding, flow: InitFlow): FailureReport[] {
  return unwinding.failures.map((failure, i) => {
    const point = flow.failures[i]!;
    const steps = [
      ...new Map(
        point.paths.flatMap((p) => p.steps).flatMap(({ call, place }) => (call ? [[`${place.line}:${place.column}`, { call, place }] as const] : [])),
      ).values(),
    ];
    return {
      location: place(failure.location),
      text: failure.text,
      failing: failure.failing ? describeStep(failure.failing) : null,
      path: steps.map((step) => ({ call: step.call, location: place(step.place) })),
      undoes: failure.undone.map((undone) => ({ step: describeStep(undone.setUp), call: undone.call, location: place(undone.location) })),
      leaves: failure.missing.map((missing) => ({ step: describeStep(missing), what: missing.what, undo: missing.undo })),
    };
  });
}

function statement(s: InitStatement, id: string, need: StatementUndo | undefined): StatementReport {
  return {
    location: place(s.place),
    call: s.call ?? null,
    text: s.text,
    id,
    conditional: s.conditional,
    loop: s.loop,
    canFail: s.canFail,
    setsUp: need ? { what: need.what, undo: need.undo, evidence: { kind: need.evidence.kind, text: need.evidence.text } } : null,
  };
}

function moduleReport(module: ModuleSource): ModuleReport {
  return {
    init: { name: module.init.name, file: module.init.file, line: module.init.line },
    exit: module.exit?.name ?? null,
    kconfig: module.kconfig
      ? { symbol: module.kconfig.symbol, loadable: module.kconfig.loadable, text: module.kconfig.text, location: place(module.kconfig.location) }
      : null,
    statements: module.statements.map(({ statement: s, writes, afterKvmInit, noEffect }, i) => ({
      ...statement(s, module.ids[i]!, module.unwound.needs.get(i)),
      noEffect,
      afterKvmInit,
      writes: writes.map(access),
    })),
    failures: failures(module.unwound.unwinding, module.flow),
  };
}

function hookReport(hook: HookSource, written: Set<string>, all: boolean): HookReport {
  const setup = hook.unwound;
  return {
    role: hook.role,
    name: hook.name,
    definition: { name: hook.def.name, file: hook.def.file, line: hook.def.line },
    noop: hook.noop,
    reads: hook.reads.filter((read) => all || written.has(read.state)).map((read) => ({ ...access(read), write: read.write })),
    setup: setup
      ? {
          exit: setup.exit?.name ?? null,
          statements: setup.flow.statements.map((s, i) => statement(s, setup.ids[i]!, setup.result.needs.get(i))),
          failures: failures(setup.result.unwinding, setup.flow),
        }
      : null,
  };
}

function archReport(source: ArchSource, all: boolean): ArchReport {
  const written = new Set(source.modules.flatMap((m) => m.statements.flatMap((s) => s.writes.map((w) => w.state))));
  return {
    arch: source.arch,
    problems: source.problems.map((problem) => ({ severity: problem.severity, message: problem.message, location: place(problem.location) })),
    modules: source.modules.map(moduleReport),
    hooks: source.hooks.map((hook) => hookReport(hook, written, all)),
  };
}

// The text: the same report, one fact a line, indented by what it belongs to.

const chainText = (chain: string[]) => chain.map((name) => `${name}()`).join(' → ');

function failureLines(failures: FailureReport[], indent: string): string[] {
  return failures.flatMap((failure) => [
    `${indent}${where(failure.location)}  \`${failure.text}\`: ${failure.failing ? `${failure.failing} fails` : 'fails on its own'}`,
    `${indent}    failure path: ${failure.path.length > 0 ? failure.path.map((step) => `${step.call}() at ${where(step.location)}`).join(', ') : 'returns at once'}`,
    ...failure.undoes.map((undone) => `${indent}    undoes ${undone.step} with ${undone.call}() at ${where(undone.location)}`),
    ...failure.leaves.map((left) => `${indent}    leaves ${left.step} set up: ${left.what.join(', ')} (undo: ${left.undo}())`),
  ]);
}

function statementLines(s: StatementReport, flags: (string | false)[]): string[] {
  const what = s.call ? `${s.call}()` : s.text;
  const shown = flags.filter(Boolean).join(', ');
  const lines = [`    ${where(s.location)}  ${what}${s.id !== s.call ? `  "${s.id}"` : ''}${shown ? `  [${shown}]` : ''}`];
  if (s.setsUp) lines.push(`        sets up ${s.setsUp.what.join(', ')}; undo: ${s.setsUp.undo}() (${s.setsUp.evidence.kind}: ${s.setsUp.evidence.text})`);
  return lines;
}

function moduleLines(module: ModuleReport): string[] {
  const exit = module.exit ? `  module_exit: ${module.exit}()` : '  no module_exit()';
  const lines = [`  module init ${module.init.name}()  ${module.init.file}:${module.init.line}${exit}`];
  if (module.kconfig) {
    const { symbol, loadable, text, location } = module.kconfig;
    const kind = loadable ? 'can be a module loaded at run time' : 'built in only: no userspace exists while its init runs';
    lines.push(`    ${symbol}: \`${text}\` at ${where(location)}: ${kind}`);
  }
  for (const s of module.statements) {
    lines.push(
      ...statementLines(s, [
        s.conditional && 'conditional',
        s.loop && 'loop',
        s.canFail && 'can fail',
        s.noEffect && 'no effect',
        s.afterKvmInit && 'after kvm_init()',
      ]),
    );
    for (const write of s.writes)
      lines.push(`        writes ${write.state}${write.chain.length > 0 ? ` via ${chainText(write.chain)}` : ''}  at ${where(write.location)}`);
  }
  if (module.failures.length > 0) lines.push(`  failure points of ${module.init.name}()`, ...failureLines(module.failures, '    '));
  return lines;
}

function hookLines(hook: HookReport, all: boolean): string[] {
  const lines = [`  ${hook.role} hook ${hook.name}()  ${hook.definition.file}:${hook.definition.line}${hook.noop ? '  [no-op]' : ''}`];
  for (const read of hook.reads) lines.push(`      ${read.write ? 'writes' : 'reads'} ${read.state} via ${chainText(read.chain)}  at ${where(read.location)}`);
  if (hook.reads.length === 0) lines.push(all ? '      reads no file-scope state' : '      reads no state that module init writes');
  if (hook.setup) {
    // A setup hook kvm_init() runs: read like a module init.
    lines.push(`      setup hook, read like module init; exit counterpart: ${hook.setup.exit ? `${hook.setup.exit}()` : 'none'}`);
    for (const s of hook.setup.statements)
      lines.push(...statementLines(s, [s.conditional && 'conditional', s.canFail && 'can fail']).map((line) => `    ${line}`));
    if (hook.setup.failures.length > 0) lines.push(`      failure points of ${hook.name}()`, ...failureLines(hook.setup.failures, '        '));
  }
  return lines;
}

function archLines(arch: ArchReport, all: boolean): string[] {
  const lines = ['', arch.arch];
  for (const problem of arch.problems) lines.push(`  ${problem.severity}: ${problem.message}  at ${where(problem.location)}`);
  for (const module of arch.modules) lines.push(...moduleLines(module));
  for (const hook of arch.hooks) lines.push(...hookLines(hook, all));
  return lines;
}

/** A line too long for the width continues this much further in than it starts: deeper than the lines that belong to it (4). */
const HANG = 6;

function text(report: DepsReport, all: boolean, width: number): string {
  const lines = [`Linux ${report.kernel.version} at ${displayPath(report.kernel.root)}; generic ordering: kvm_init() in ${report.generic.file}`];
  if (report.generic.failures.length > 0) lines.push('', 'generic', '  failure points of kvm_init()', ...failureLines(report.generic.failures, '    '));
  for (const arch of report.archs) lines.push(...archLines(arch, all));
  return lines.flatMap((line) => wrapLine(line, width, HANG)).join('\n') + '\n';
}

/**
 * `kvm-rules deps --kernel DIR`: what the analysis read, per arch, for a maintainer to check, as
 * text or JSON. Exit 1 when an arch could not be read (its problems are reported with it).
 */
export async function runDeps(options: DepsOptions): Promise<{ output: string; exitCode: number }> {
  const { analyzeKernel, KernelTree, KeptFiles } = await import('@kvm-rules/kernel-source');
  const project = await loadProject({ archs: options.arch, plugins: options.plugin });
  // What earlier runs read of the tree's files serves deps as it serves check.
  const tree = KernelTree.open(options.kernel, KeptFiles.open());
  const progress =
    options.progress ??
    (() => {
      // No terminal to show progress on.
    });
  const onArch = readingTree(progress, tree.version);
  const analysis = await analyzeKernel(tree, { plugins: project.pluginsFor(majorMinor(tree.version)), profiles: project.profiles, onArch });
  progress(undefined);
  const all = options.all ?? false;
  const generic = analysis.profile.unwinding;
  const report: DepsReport = {
    kernel: { root: tree.root, version: tree.version },
    generic: { file: analysis.profile.file, failures: generic && analysis.generic ? failures(generic, analysis.generic) : [] },
    archs: analysis.sources.map((source) => archReport(source, all)),
  };
  const unread = report.archs.some((arch) => arch.problems.some((problem) => problem.severity === 'error'));
  const output = options.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : text(report, all, options.width ?? DEFAULT_WIDTH);
  return { output, exitCode: unread ? ExitCode.findings : ExitCode.clean };
}
