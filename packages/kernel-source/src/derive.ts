// One arch plugin as the kernel tree has it: its module init's statements as phases (with the
// state each writes, what needs undoing and what each failure path undoes), its hook
// implementations (with the state each reads and the chain to it, and the unwinding of the setup
// hooks kvm_init() runs), all located in kernel source. Every fact comes from the C; a declared
// plugin lends summaries only, and is compared with the tree by plugin-drift.
import { dirname } from 'node:path';
import type { HookImplementation, Location, ModuleInit, Phase, Plugin, Profile, Requirement, SourceProblem, StateDeclaration } from '@kvm-rules/core';
import { compareText, KVM_INIT } from '@kvm-rules/core';
import type { FunctionDefinition, VariableDefinition } from './file-index.js';
import { locationOf } from './function-facts.js';
import { GENERIC_DIR, type HookRoles } from './generic.js';
import { readInitFunction, type InitFlow, type InitStatement } from './init-flow.js';
import { callbacksRunNow, entry, reach, stateAccesses, type Reached, type StateAccess } from './reach.js';
import type { ParseCache, Scope } from './scope.js';
import { callTextOf, hasNoEffect, stepIds, subjectIn } from './steps.js';
import { partnersOf, undoPairsWith, type UndoPair } from './undo-pairs.js';
import { unwindingOf, type UnwindResult } from './unwinding.js';
import { moduleConfig } from './kconfig.js';

/** What `deps` prints and the derived plugin is made of. */
export interface ArchSource {
  arch: string;
  modules: ModuleSource[];
  hooks: HookSource[];
  problems: SourceProblem[];
}

export interface ModuleSource {
  init: FunctionDefinition;
  /** module_exit()'s function, when the module has one. */
  exit: FunctionDefinition | undefined;
  flow: InitFlow;
  ids: string[];
  statements: { statement: InitStatement; writes: StateAccess[]; reads: StateAccess[]; afterKvmInit: boolean; noEffect: boolean; callsKvmInit: boolean }[];
  unwound: UnwindResult;
  /** The Kconfig symbol that builds the module and its type: loadable (tristate) or built in (bool). */
  kconfig: ModuleInit['kconfig'];
}

export interface HookSource {
  role: string;
  name: string;
  def: FunctionDefinition;
  reads: StateAccess[];
  /** State the hook writes, by assignment or by handing its address to a call. */
  writes: Set<string>;
  /** The same, member by member, with where and through which calls. */
  memberWrites: StateAccess[];
  reaches: string[];
  noop: boolean;
  /** A setup hook (arch-init, hardware-setup): its own statements and failure paths. */
  unwound?: { flow: InitFlow; ids: string[]; result: UnwindResult; exit: FunctionDefinition | undefined };
}

/** arch/x86/kvm/ for arch/x86/kvm/vmx/vmx.c. */
export function archDirOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'arch' && parts.length > 3 ? `${parts.slice(0, 3).join('/')}/` : `${dirname(file)}/`;
}

/**
 * The arch's KVM directory and virt/kvm, with a module's own directory as home, read in the
 * configuration that builds the module (its first module by default); one per module and run.
 */
export function archScope(cache: ParseCache, plugin: Plugin, module: ModuleInit | undefined = plugin.modules[0]): Scope {
  const file = module?.file ?? '';
  const home = `${dirname(file)}/`;
  const config = file ? moduleConfig(cache.tree, file).enabled : new Set<string>();
  return cache.scope(home, () => [...cache.tree.cFiles(archDirOf(file), true), ...cache.tree.cFiles(GENERIC_DIR, false)], config);
}

/** Reads one arch from the tree. Problems that stop the analysis come back as error problems. */
export function readArch(cache: ParseCache, plugin: Plugin, ordering: Profile, roles: HookRoles, setup: Set<string>): ArchSource {
  const scope = archScope(cache, plugin);
  const problems: SourceProblem[] = [];
  const pairs = undoPairsWith(plugin.undoPairs);
  const inits = plugin.modules.flatMap((module) => {
    const def = moduleInitOf(scope, module, problems);
    return def ? [{ def, scope: archScope(cache, plugin, module) }] : [];
  });
  // A module init the tree could not be read in is an error of the tree already; judging the
  // little that was read would add false findings (integrity, drift) beside it.
  const modules = inits.map((init) => readModule(init.scope, init.def, roles, pairs)).filter((module) => !unreadIn(scope, module.init));
  const hooks = inits.length > 0 ? readHooks(scope, ordering, roles, setup, pairs) : [];
  if (inits.length > 0) problems.push(...missingHooks(scope, ordering, plugin));
  return { arch: plugin.id, modules, hooks, problems };
}

/** An error of the tree inside a function: it could not be read, or not to its end. */
function unreadIn(scope: Scope, def: FunctionDefinition): boolean {
  return scope.tree.diagnostics.some(
    (d) => d.severity === 'error' && d.place.file === def.file && d.place.line >= def.line && d.place.line <= def.lastLine + 1,
  );
}

function moduleInitOf(scope: Scope, module: ModuleInit, problems: SourceProblem[]): FunctionDefinition | undefined {
  const where = { file: module.file, line: 1, column: 1 };
  if (!scope.tree.exists(module.file)) {
    problems.push({ severity: 'error', message: `${module.file} is not in the tree: cannot analyze ${module.init}()`, location: where });
    return undefined;
  }
  const index = scope.tree.index(module.file);
  // A file that could not be read is already an error of the tree; saying more would mislead.
  if (scope.tree.diagnostics.some((d) => d.place.file === module.file && d.severity === 'error')) return undefined;
  const named = index.moduleInits.find((m) => m.name === module.init) ?? index.moduleInits[0];
  if (!named) {
    problems.push({ severity: 'error', message: `${module.file} has no module_init(): cannot find the module init to analyze`, location: where });
    return undefined;
  }
  const def = index.functions.find((f) => f.name === named.name);
  if (!def) {
    problems.push({
      severity: 'error',
      message: `${named.macro}(${named.name}) names no function defined in ${module.file}`,
      location: { file: module.file, line: named.line, column: 1 },
    });
  }
  return def;
}

const isKvmInit = (def: FunctionDefinition) => def.name === KVM_INIT;

/** Code an arch's unwinding does not look into: the generic code (kvm_init() and its helpers), and the hooks. */
const opaqueFor = (roles: HookRoles) => (def: FunctionDefinition) => def.file.startsWith(GENERIC_DIR) || roles.has(def.name);

function readModule(scope: Scope, def: FunctionDefinition, roles: HookRoles, pairs: readonly UndoPair[]): ModuleSource {
  const flow = readInitFunction(scope, def);
  const subject = subjectIn(scope);
  const ids = stepIds(flow.statements, subject);
  let afterKvmInit = false;
  const statements = flow.statements.map((statement) => {
    const entries = statement.facts.calls.flatMap((call) => [
      ...scope.resolve(call, def.file).map((d) => entry(d, call.place)),
      ...callbacksRunNow(scope, call, def.file).map((d) => entry(d, call.place, true)),
    ]);
    const reached = reach(scope, entries, { stopAt: (d) => isKvmInit(d) || roles.has(d.name) });
    const writes = new Map<string, StateAccess>();
    for (const ref of statement.facts.refs) {
      if (ref.write && !ref.null && scope.variables.has(ref.name) && !writes.has(ref.name))
        writes.set(ref.name, { state: ref.name, write: true, chain: [], place: ref.place });
    }
    for (const [name, access] of stateAccesses(scope, reached, 'write')) if (!writes.has(name)) writes.set(name, access);
    // kvm_init() called through a helper of the arch (`return foo_register();` that calls it) is the kvm_init() phase.
    const callsKvmInit = statement.call === KVM_INIT || [...reached.values()].some((r) => isKvmInit(r.def));
    const reads = firstReads(scope, statement, reached);
    const item = { statement, writes: [...writes.values()], reads, afterKvmInit, noEffect: hasNoEffect(scope, statement), callsKvmInit };
    if (callsKvmInit) afterKvmInit = true;
    return item;
  });
  const exitName = scope.tree.index(def.file).moduleExits[0]?.name;
  const exit = exitName ? scope.tree.index(def.file).functions.find((f) => f.name === exitName) : undefined;
  const unwound = unwindingOf(scope, flow, {
    exit: exit ? { def: exit, label: `module_exit(${exit.name})` } : undefined,
    pairs,
    opaque: opaqueFor(roles),
    ids,
    calls: flow.statements.map((s) => callTextOf(s, subject)),
  });
  // State the module gives back on exit (kvm_x86_ops for a vendor module) is read first to check it is free, not to use it.
  for (const item of statements) item.reads = item.reads.filter((read) => !unwound.exitStates.has(read.state));
  return { init: def, exit, flow, ids, statements, unwound, kconfig: kconfigOf(scope, def.file) };
}

/**
 * Arch state a statement reads before anything in it writes it, member by member: in its guards,
 * its own expression, and the functions it runs.
 */
function firstReads(scope: Scope, statement: InitStatement, reached: Map<string, Reached>): StateAccess[] {
  const found = new Map<string, StateAccess>();
  const own = [...statement.guards, ...statement.facts.refs];
  for (const ref of own) {
    const key = ref.field ? `${ref.name}.${ref.field}` : ref.name;
    if (found.has(key) || !scope.variables.has(ref.name)) continue;
    found.set(key, {
      state: ref.name,
      write: ref.write,
      chain: [],
      place: ref.place,
      ...(ref.field ? { field: ref.field } : {}),
      ...(ref.decides ? { decides: true } : {}),
    });
  }
  for (const [key, access] of stateAccesses(scope, reached, 'any', true)) if (!found.has(key)) found.set(key, access);
  return [...found.values()].filter((access) => {
    const variable = scope.variables.get(access.state);
    return !access.write && variable !== undefined && !variable.file.startsWith(GENERIC_DIR);
  });
}

/** The arch's implementation of each hook the tree's kvm_init() calls, and what it touches. */
function readHooks(scope: Scope, profile: Profile, roles: HookRoles, setup: Set<string>, pairs: readonly UndoPair[]): HookSource[] {
  const hooks: HookSource[] = [];
  // Not localeCompare(): its first call loads ICU's collation data (10 ms a run).
  for (const hook of [...profile.hooks.values()].sort((a, b) => compareText(a.role, b.role))) {
    const def = archDefinition(scope, hook.name);
    if (!def) continue;
    const reached = reach(scope, [entry(def)], { stopAt: (d) => d !== def && roles.has(d.name) && roles.get(d.name) !== hook.role });
    const info = scope.info(def);
    hooks.push({
      role: hook.role,
      name: hook.name,
      def,
      reads: [...stateAccesses(scope, reached, 'any').values()],
      // What the hook initializes for others: a pointer it only writes through stays someone else's to set up.
      writes: new Set(stateAccesses(scope, reached, 'initialize').keys()),
      memberWrites: [...stateAccesses(scope, reached, 'write', true).values()],
      reaches: [...reached.values()].map((r) => r.def.name),
      noop: info.facts.calls.length === 0 && info.facts.refs.length === 0,
      ...(setup.has(hook.role) ? { unwound: readSetupHook(scope, def, roles, pairs) } : {}),
    });
  }
  return hooks;
}

/** A setup hook read like a module init: its statements, failure paths, and what its exit counterpart (kvm_arch_exit()) undoes. */
function readSetupHook(scope: Scope, def: FunctionDefinition, roles: HookRoles, pairs: readonly UndoPair[]): NonNullable<HookSource['unwound']> {
  const flow = readInitFunction(scope, def);
  const subject = subjectIn(scope);
  const ids = stepIds(flow.statements, subject);
  const exit = partnersOf(def.name, pairs)
    .map((name) => archDefinition(scope, name))
    .find((d) => d !== undefined);
  const result = unwindingOf(scope, flow, {
    exit: exit ? { def: exit, label: `${exit.name}()` } : undefined,
    pairs,
    opaque: (d) => d !== def && opaqueFor(roles)(d),
    ids,
    calls: flow.statements.map((s) => callTextOf(s, subject)),
  });
  return { flow, ids, result, exit };
}

/**
 * Hooks the plugin declares that the tree's generic code calls with no __weak default, yet the
 * arch's code does not define: the kernel could not link so, and a hook that cannot be read is
 * not judged, so a damaged or half-applied file must not pass in silence. (An arch that does not
 * build the generic caller, s390 for the hardware-enable hooks, does not declare the hook.)
 */
function missingHooks(scope: Scope, ordering: Profile, plugin: Plugin): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const hook of ordering.hooks.values()) {
    const declared = plugin.hooks.get(hook.role);
    if (!declared || hook.weak || archDefinition(scope, hook.name) || inArchHeader(scope, plugin, hook.name)) continue;
    const impl = scope.functions.get(declared.impl)?.find((d) => !d.file.startsWith(GENERIC_DIR));
    const at = `${hook.location.file}:${hook.location.line}`;
    problems.push({
      severity: 'error',
      message: `${hook.name}(), which generic KVM code calls with no __weak default (${at}), is defined nowhere in ${archDirOf(plugin.modules[0]?.file ?? '')}: cannot analyze the ${hook.role} hook that ${plugin.id} declares as ${declared.impl}()`,
      location: impl ? { file: impl.file, line: impl.line, column: 1 } : declared.file ? { file: declared.file, line: 1, column: 1 } : declared.location,
    });
  }
  return problems;
}

/** A hook an arch defines in its kvm_host.h, as a `static inline` (often empty) or a macro. */
function inArchHeader(scope: Scope, plugin: Plugin, name: string): boolean {
  const arch = archDirOf(plugin.modules[0]?.file ?? '').split('/')[1];
  const text = scope.tree.readText(`arch/${arch}/include/asm/kvm_host.h`) ?? '';
  for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + name.length)) {
    const line = text.slice(text.lastIndexOf('\n', at) + 1, at);
    if (/^#\s*define\s+$/.test(line)) return true;
    if (!/^static\s+inline\b/.test(line) || !/^\s*\(/.test(text.slice(at + name.length, at + name.length + 8))) continue;
    // A definition's parameter list is followed by its body; a declaration's by `;` (bounded look).
    const rest = text.slice(at, at + 1000);
    const body = rest.indexOf('{');
    if (body !== -1 && (!rest.includes(';') || body < rest.indexOf(';'))) return true;
  }
  return false;
}

/** The arch's own definition of a hook: not the __weak default in virt/kvm. */
function archDefinition(scope: Scope, name: string): FunctionDefinition | undefined {
  return scope.functions.get(name)?.find((d) => !d.file.startsWith(GENERIC_DIR) && !d.weak);
}

/**
 * Roles the ordering calls once, on one CPU, from kvm_init() alone (arch-init and hardware-setup
 * before 6.3): hooks that set state up for the others, like module init does.
 */
export function setupRoles(ordering: Profile): Set<string> {
  const once = new Set<string>();
  const elsewhere = new Set<string>();
  for (const step of ordering.kvmInit) {
    for (const call of step.calls) (call.on === 'one-cpu' ? once : elsewhere).add(call.role);
    for (const call of step.rollback) elsewhere.add(call.role);
  }
  for (const event of ordering.lifecycle) for (const call of event.calls) elsewhere.add(call.role);
  return new Set([...once].filter((role) => !elsewhere.has(role)));
}

/** The derived plugin: what the rules run over with --kernel. */
export function derivePlugin(source: ArchSource, declared: Plugin | undefined, base: Plugin, scope: Scope, version: string, setup: Set<string>): Plugin {
  const byModuleInit = new Set<string>();
  for (const module of source.modules) for (const s of module.statements) for (const w of s.writes) byModuleInit.add(w.state);
  const state = new Map<string, StateDeclaration>();
  const modules = source.modules.map((module) => derivedModule(module, scope, state));
  const hooks = new Map<string, HookImplementation>();
  for (const hook of source.hooks) {
    // State a hook depends on is set up by someone else: module init, or a setup hook. What the
    // hooks keep among themselves (a per-CPU cache both enable and disable update) is theirs.
    const setUp = source.hooks.filter((h) => h !== hook && setup.has(h.role)).flatMap((h) => [...h.writes]);
    const derived = derivedHook(hook, new Set([...byModuleInit, ...setUp]), scope, state);
    // What the source cannot say, a summary, comes from the declaration of the same role.
    const summary = (declared ?? base).hooks.get(hook.role)?.summary;
    hooks.set(hook.role, summary ? { ...derived, summary } : derived);
  }
  // The tree says which state there is, where it is defined and whether it is initialized at
  // compile time; a summary only the manifest can give.
  for (const [name, entry] of state) {
    const summary = (declared ?? base).state.get(name)?.summary;
    if (summary) state.set(name, { ...entry, summary });
  }
  return {
    id: base.id,
    summary: base.summary,
    kernel: version,
    kernels: base.kernels,
    variants: [],
    file: base.file,
    location: base.location,
    modules,
    hooks,
    state,
    ...(base.undoPairs ? { undoPairs: base.undoPairs } : {}),
    source: { ...(declared ? { declared } : {}), problems: source.problems },
  };
}

function derivedModule(module: ModuleSource, scope: Scope, state: Map<string, StateDeclaration>): ModuleInit {
  const { needs, unwinds, unwinding } = module.unwound;
  const undoneAt = new Map<number, Map<string, Location>>();
  for (const failure of unwinding.failures) {
    const failing = module.ids.indexOf(failure.failing?.step ?? '');
    if (failing === -1) continue;
    const at = undoneAt.get(failing) ?? new Map<string, Location>();
    for (const undone of failure.undone) if (!at.has(undone.setUp.step)) at.set(undone.setUp.step, undone.location);
    undoneAt.set(failing, at);
  }
  const kvmInits = module.statements.filter((s) => s.callsKvmInit);
  // kvm_init() under if/else or #ifdef/#else is one call per path: one phase, the others its alternatives.
  const oneCallPerPath = module.flow.mostCallsOnOnePath(KVM_INIT) <= 1 && kvmInits.every((s) => s.statement.call === KVM_INIT);
  const phases: Phase[] = [];
  module.statements.forEach(({ statement, writes, reads, noEffect, callsKvmInit }, i) => {
    if (callsKvmInit && oneCallPerPath && statement !== kvmInits[0]!.statement) return;
    for (const w of writes) noteState(state, scope.variables.get(w.state));
    const need = needs.get(i);
    const registers = (need?.what ?? []).filter((name) => scope.variables.has(name));
    for (const name of registers) noteState(state, scope.variables.get(name));
    const subject = subjectIn(scope)(statement);
    const alternatives = callsKvmInit && oneCallPerPath && kvmInits.length > 1 ? kvmInits.slice(1).map((s) => locationOf(s.statement.place)) : [];
    phases.push({
      id: module.ids[i]!,
      summary: statement.text,
      call: callsKvmInit ? KVM_INIT : subject.name,
      ...(subject.assigns && !callsKvmInit ? { assigns: true } : {}),
      initializes: writes.map((w) => w.state),
      registers,
      ...(need ? { undo: need.undo, undoEvidence: need.evidence, undoneBy: need.calls } : {}),
      canFail: statement.canFail,
      unwinds: (unwinds.get(i) ?? []).map((j) => module.ids[j]!),
      location: locationOf(subject.assigns ? statement.start : statement.place),
      unwindLocations: undoneAt.get(i) ?? new Map<string, Location>(),
      ...(noEffect ? { effect: 'none' as const } : {}),
      ...(alternatives.length > 0 ? { alternatives } : {}),
      ...(reads.length > 0 ? { reads: reads.map(stateUse) } : {}),
    });
  });
  return {
    init: module.init.name,
    file: module.init.file,
    phases,
    location: { file: module.init.file, line: module.init.line, column: 1 },
    unwinding,
    ...(module.kconfig ? { kconfig: module.kconfig } : {}),
  };
}

/** The module's Kconfig symbol and whether it can be loaded at run time, from the Makefile and Kconfig. */
function kconfigOf(scope: Scope, file: string): ModuleInit['kconfig'] {
  const { symbol, type } = moduleConfig(scope.tree, file);
  return symbol && type ? { symbol, loadable: type.loadable, text: type.text, location: { file: type.file, line: type.line, column: 1 } } : undefined;
}

function derivedHook(hook: HookSource, setUp: Set<string>, scope: Scope, state: Map<string, StateDeclaration>): HookImplementation {
  const requires: Requirement[] = [];
  for (const read of hook.reads) {
    const variable = scope.variables.get(read.state);
    // An ordering dependency: arch state that init code sets up and the hook reads before it
    // writes any of it itself. Generic state belongs to the ordering itself (the profile's steps).
    if (!variable || variable.staticInit || variable.file.startsWith(GENERIC_DIR)) continue;
    if (read.write || !setUp.has(read.state)) continue;
    noteState(state, variable);
    requires.push({ state: read.state, via: read.chain.slice(1).map((r) => r.def.name), location: locationOf(read.place), chain: chainLocations(read) });
  }
  return {
    role: hook.role,
    impl: hook.name,
    via: [],
    file: hook.def.file,
    noop: hook.noop,
    ...(hook.unwound ? { unwinding: hook.unwound.result.unwinding } : {}),
    writes: hook.memberWrites.filter((w) => !scope.variables.get(w.state)?.file.startsWith(GENERIC_DIR)).map(stateUse),
    requires,
    initializes: [...hook.writes]
      .filter((name) => {
        noteState(state, scope.variables.get(name));
        return scope.variables.has(name);
      })
      .sort(),
    location: { file: hook.def.file, line: hook.def.line, column: 1 },
    reaches: hook.reaches,
  };
}

function stateUse(access: StateAccess) {
  return {
    state: access.state,
    ...(access.field ? { field: access.field } : {}),
    ...(access.decides ? { decides: true } : {}),
    via: access.chain.slice(1).map((r) => r.def.name),
    location: locationOf(access.place),
    chain: chainLocations(access),
  };
}

function chainLocations(access: StateAccess) {
  const chain = access.chain;
  return chain.slice(1).map((node: Reached, i) => ({
    message: `${chain[i]!.def.name}() calls ${node.def.name}() here`,
    location: locationOf(node.site ?? { file: node.def.file, line: node.def.line, column: 1 }),
  }));
}

function noteState(state: Map<string, StateDeclaration>, variable: VariableDefinition | undefined): void {
  if (!variable || state.has(variable.name)) return;
  state.set(variable.name, {
    name: variable.name,
    summary: `${variable.kind === 'per-cpu' ? 'per-CPU ' : ''}variable defined in ${variable.file}`,
    kind: variable.kind,
    static: variable.staticInit,
    location: { file: variable.file, line: variable.line, column: variable.column },
  });
}
