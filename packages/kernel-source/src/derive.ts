// One arch plugin as the kernel tree has it: its module init's statements as phases (with the
// state each writes), its hook implementations (with the state each reads and the chain to it),
// all located in kernel source. Where a statement matches a declared phase (same call, in
// order), the phase keeps its declared id and unwinding facts, which the source cannot tell.
import { dirname } from 'node:path';
import type { HookImplementation, ModuleInit, Phase, Plugin, Profile, Requirement, SourceProblem, StateDeclaration } from '@kvm-rules/core';
import { KVM_INIT } from '@kvm-rules/core';
import type { FunctionDefinition, VariableDefinition } from './file-index.js';
import { locationOf } from './function-facts.js';
import { GENERIC_DIR, type HookRoles } from './generic.js';
import { readInitFunction, statementSubject, uniqueId, type InitStatement } from './init-flow.js';
import { callbacksRunNow, entry, reach, stateAccesses, type Reached, type StateAccess } from './reach.js';
import type { ParseCache, Scope } from './scope.js';


/** What `deps` prints and the derived plugin is made of. */
export interface ArchSource {
  arch: string;
  modules: ModuleSource[];
  hooks: HookSource[];
  problems: SourceProblem[];
}

export interface ModuleSource {
  init: FunctionDefinition;
  statements: { statement: InitStatement; writes: StateAccess[]; afterKvmInit: boolean }[];
}

export interface HookSource {
  role: string;
  name: string;
  def: FunctionDefinition;
  reads: StateAccess[];
  /** State the hook writes, by assignment or by handing its address to a call. */
  writes: Set<string>;
  reaches: string[];
  noop: boolean;
}

/** arch/x86/kvm/ for arch/x86/kvm/vmx/vmx.c. */
export function archDirOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'arch' && parts.length > 3 ? `${parts.slice(0, 3).join('/')}/` : `${dirname(file)}/`;
}

/** The arch's KVM directory and virt/kvm, with the module's own directory as home; one per arch and run. */
export function archScope(cache: ParseCache, plugin: Plugin): Scope {
  const file = plugin.modules[0]?.file ?? '';
  const home = `${dirname(file)}/`;
  return cache.scope(home, () => [...cache.tree.cFiles(archDirOf(file), true), ...cache.tree.cFiles(GENERIC_DIR, false)]);
}

/** Reads one arch from the tree. Problems that stop the analysis come back as error problems. */
export function readArch(cache: ParseCache, plugin: Plugin, ordering: Profile, roles: HookRoles): ArchSource {
  const scope = archScope(cache, plugin);
  const problems: SourceProblem[] = [];
  const inits = plugin.modules.flatMap((module) => moduleInitOf(scope, module, problems) ?? []);
  const modules = inits.map((init) => readModule(scope, init, roles));
  const hooks = inits.length > 0 ? readHooks(scope, ordering, roles) : [];
  return { arch: plugin.id, modules, hooks, problems };
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
  const named = index.moduleInits.map((m) => m.name);
  const name = named.includes(module.init) ? module.init : named[0];
  if (!name) {
    problems.push({ severity: 'error', message: `${module.file} has no module_init(): cannot find the module init to analyze`, location: where });
    return undefined;
  }
  const def = index.functions.find((f) => f.name === name);
  if (!def) {
    const line = index.moduleInits.find((m) => m.name === name)!.line;
    problems.push({ severity: 'error', message: `module_init(${name}) names no function defined in ${module.file}`, location: { file: module.file, line, column: 1 } });
  }
  return def;
}

const isKvmInit = (def: FunctionDefinition) => def.name === KVM_INIT;

function readModule(scope: Scope, def: FunctionDefinition, roles: HookRoles): ModuleSource {
  const init = readInitFunction(scope, def);
  let afterKvmInit = false;
  const statements = init.statements.map((statement) => {
    const entries = statement.facts.calls.flatMap((call) => [
      ...scope.resolve(call, def.file).map((d) => entry(d, call.place)),
      ...callbacksRunNow(scope, call, def.file).map((d) => entry(d, call.place, true)),
    ]);
    const reached = reach(scope, entries, { stopAt: (d) => isKvmInit(d) || roles.has(d.name) });
    const writes = new Map<string, StateAccess>();
    for (const ref of statement.facts.refs) {
      if (ref.write && scope.variables.has(ref.name) && !writes.has(ref.name)) writes.set(ref.name, { state: ref.name, write: true, chain: [], place: ref.place });
    }
    for (const [name, access] of stateAccesses(scope, reached, 'write')) if (!writes.has(name)) writes.set(name, access);
    const item = { statement, writes: [...writes.values()], afterKvmInit };
    if (statement.call === KVM_INIT) afterKvmInit = true;
    return item;
  });
  return { init: def, statements };
}

/** The arch's implementation of each hook the tree's kvm_init() calls, and what it touches. */
function readHooks(scope: Scope, profile: Profile, roles: HookRoles): HookSource[] {
  const hooks: HookSource[] = [];
  for (const hook of [...profile.hooks.values()].sort((a, b) => a.role.localeCompare(b.role))) {
    const def = archDefinition(scope, hook.name);
    if (!def) continue;
    const reached = reach(scope, [entry(def)], { stopAt: (d) => d !== def && roles.has(d.name) && roles.get(d.name) !== hook.role });
    const info = scope.info(def);
    hooks.push({
      role: hook.role,
      name: hook.name,
      def,
      reads: [...stateAccesses(scope, reached, 'any').values()],
      writes: new Set(stateAccesses(scope, reached, 'write').keys()),
      reaches: [...reached.values()].map((r) => r.def.name),
      noop: info.facts.calls.length === 0 && info.facts.refs.length === 0,
    });
  }
  return hooks;
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
  const modules = source.modules.map((module) => derivedModule(module, declared ?? base, scope, state));
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
    source: { ...(declared ? { declared } : {}), problems: source.problems },
  };
}

function derivedModule(module: ModuleSource, declared: Plugin, scope: Scope, state: Map<string, StateDeclaration>): ModuleInit {
  const declaredModule = declared.modules.find((m) => m.init === module.init.name);
  const matches = matchPhases(module.statements.map((s) => statementSubject(s.statement).name), declaredModule?.phases ?? []);
  const ids = new Set<string>();
  const phases = module.statements.map(({ statement, writes }, i): Phase => {
    const match = matches.get(i);
    for (const w of writes) noteState(state, scope.variables.get(w.state));
    // What a matched declaration adds is cataloged as declared (or as the tree defines it).
    for (const name of [...(match?.initializes ?? []), ...(match?.registers ?? [])]) {
      const known = declared.state.get(name);
      if (state.has(name)) continue;
      if (known) state.set(name, known);
      else noteState(state, scope.variables.get(name));
    }
    const subject = statementSubject(statement);
    const id = uniqueId(ids, match?.id ?? (subject.assigns ? `assign-${subject.name}` : subject.name));
    return {
      id,
      summary: match?.summary ?? statement.text,
      call: subject.name,
      ...(subject.assigns ? { assigns: true } : {}),
      initializes: [...new Set([...writes.map((w) => w.state), ...(match?.initializes ?? [])])],
      registers: match?.registers ?? [],
      ...(match?.undo ? { undo: match.undo } : {}),
      canFail: statement.canFail || (match?.canFail ?? false),
      unwinds: match?.unwinds ?? [],
      location: locationOf(statement.place),
      unwindLocations: match?.unwindLocations ?? new Map(),
    };
  });
  return { init: module.init.name, file: module.init.file, phases: unwindingOnlyEarlier(phases), location: { file: module.init.file, line: module.init.line, column: 1 } };
}

/**
 * A phase unwinds only phases the source runs before it: a declared phase that the source moved
 * ahead (vmx_setup_l1d_flush() before kvm_init() in a 6.1 stable tree) keeps its other facts,
 * not the unwinding of phases that now come after it.
 */
function unwindingOnlyEarlier(phases: Phase[]): Phase[] {
  return phases.map((phase, i) => {
    const earlier = new Set(phases.slice(0, i).map((p) => p.id));
    if (phase.unwinds.every((id) => earlier.has(id))) return phase;
    const unwinds = phase.unwinds.filter((id) => earlier.has(id));
    return { ...phase, unwinds, unwindLocations: new Map([...phase.unwindLocations].filter(([id]) => earlier.has(id))) };
  });
}

/**
 * Declared phases matched to statements by call: statement index → phase. In order first; a
 * declared phase left over (the source moved it) then takes the first free statement with its
 * call, so that its declared facts (unwinding, registrations) still apply while plugin-drift
 * reports the order.
 */
function matchPhases(calls: string[], declared: Phase[]): Map<number, Phase> {
  const matches = new Map<number, Phase>();
  const left: Phase[] = [];
  let from = 0;
  for (const phase of declared) {
    const at = calls.indexOf(phase.call, from);
    if (at === -1) {
      left.push(phase);
      continue;
    }
    matches.set(at, phase);
    from = at + 1;
  }
  for (const phase of left) {
    const at = calls.findIndex((call, i) => call === phase.call && !matches.has(i));
    if (at !== -1) matches.set(at, phase);
  }
  return matches;
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
    requires,
    initializes: [...hook.writes].filter((name) => {
      noteState(state, scope.variables.get(name));
      return scope.variables.has(name);
    }).sort(),
    location: { file: hook.def.file, line: hook.def.line, column: 1 },
    reaches: hook.reaches,
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

