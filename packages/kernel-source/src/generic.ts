// The generic ordering of a tree, read from kvm_init() in virt/kvm/kvm_main.c: one profile step
// per statement of its success path, the arch hooks each step reaches (on one CPU, or on every
// online CPU through on_each_cpu()/cpuhp_setup_state()), the calls its failure path makes, where
// /dev/kvm is registered, and what the callbacks registered by a step (CPU hotplug, syscore,
// the /dev/kvm ioctls that create VMs) can call from then on.
import type { HookCallSpec, HookWindow, KvmInitStep, LifecycleEvent, Profile, ProfileHook, RelatedLocation } from '@kvm-rules/core';
import { compareText, majorMinor } from '@kvm-rules/core';
import type { FunctionDefinition } from './file-index.js';
import { locationOf, type CallSite, type Place } from './function-facts.js';
import { calleeName, readInitFunction, type InitFlow, type InitStatement } from './init-flow.js';
import { callbacksRunNow, entry, isExternal, reach, type ReachOptions, type Reached } from './reach.js';
import type { ParseCache, Scope } from './scope.js';
import { callTextOf, stepIds, subjectIn } from './steps.js';
import { UNDO_PAIRS } from './undo-pairs.js';
import { unwindingOf } from './unwinding.js';

export const GENERIC_DIR = 'virt/kvm/';
const DEV_KVM_REGISTRATION = 'misc_register';

/** Hook roles by function name, across kernel versions (from the profiles). */
export type HookRoles = Map<string, string>;

export function hookRolesOf(profiles: Profile[]): HookRoles {
  const roles: HookRoles = new Map();
  for (const profile of profiles) for (const hook of profile.hooks.values()) roles.set(hook.name, hook.role);
  return roles;
}

function genericScope(cache: ParseCache): Scope {
  return cache.scope(GENERIC_DIR, () => cache.tree.cFiles(GENERIC_DIR, false));
}

/** The profile of the tree's own kvm_init(); undefined (with a diagnostic) when there is none to read. */
export function readGenericOrdering(cache: ParseCache, roles: HookRoles): { profile: Profile; flow: InitFlow } | undefined {
  const scope = genericScope(cache);
  const kvmInit = scope.definition('kvm_init');
  if (!kvmInit) {
    cache.tree.diagnose({ file: `${GENERIC_DIR}kvm_main.c`, line: 1, column: 1 }, 'no definition of kvm_init() in virt/kvm', 'error');
    return undefined;
  }
  const init = readInitFunction(scope, kvmInit);
  const hooks = new Map<string, ProfileHook>();
  const subject = subjectIn(scope);
  const ids = stepIds(init.statements, subject);
  // Only what can lead to a hook or to /dev/kvm matters here: the walk stays on those paths.
  const relevant = scope.mentioning([...roles.keys(), DEV_KVM_REGISTRATION]);
  const steps: KvmInitStep[] = [];
  const callbacks: Callbacks[] = [];
  const onFailure = failurePaths(scope);
  // Hooks count where they run when all goes well; those on a failure path are the rollback.
  const success: ReachOptions = { stopAt: isHook(roles), only: relevant, skip: onFailure };
  for (const [i, statement] of init.statements.entries()) {
    const id = ids[i]!;
    const reached = reach(scope, statementEntries(scope, statement.facts.calls, statement.place.file), success);
    const undone = reach(scope, undoEntries(scope, statement, reached, onFailure), success);
    const step: KvmInitStep = {
      id,
      summary: statement.text,
      calls: hookCalls(scope, reached, roles, hooks, onFailure),
      rollback: hookCalls(scope, undone, roles, hooks, onFailure),
      initializes: [],
      location: locationOf(statement.place),
    };
    if (callsAnywhere(scope, reached, DEV_KVM_REGISTRATION)) step.exposes = 'dev-kvm';
    steps.push(step);
    for (const later of registeredCallbacks(scope, statement, reached, roles, hooks, relevant)) {
      // Named for what registered them, as a finding reads: 'runs at "cpuhp_setup_state() callbacks"'.
      const name = `${later.via}() callbacks`;
      const event: LifecycleEvent = {
        id: name,
        summary: `${name}, registered by kvm_init() step "${id}"`,
        from: id,
        window: windowOf(later.via),
        calls: later.calls,
        location: later.place,
      };
      callbacks.push({ event, gates: later.gates });
    }
  }
  const lifecycle = gated(callbacks, steps);
  const version = cache.tree.version;
  // kvm_init()'s own failure paths, against what kvm_exit() tears down; the hooks are steps of their own.
  const kvmExit = scope.definition('kvm_exit');
  const { unwinding } = unwindingOf(scope, init, {
    exit: kvmExit ? { def: kvmExit, label: 'kvm_exit()' } : undefined,
    pairs: UNDO_PAIRS,
    opaque: (def) => roles.has(def.name),
    ids,
    calls: init.statements.map((s) => callTextOf(s, subject)),
  });
  const profile: Profile = {
    id: `kernel-${version}`,
    summary: `The generic ordering of the kernel tree at ${cache.tree.root} (Linux ${version}), read from kvm_init()`,
    kernel: majorMinor(version),
    proposal: false,
    source: `${kvmInit.file}, kvm_init()`,
    file: kvmInit.file,
    location: { file: kvmInit.file, line: kvmInit.line, column: 1 },
    hooks,
    state: new Map(),
    kvmInit: steps,
    lifecycle,
    unwinding,
  };
  return { profile, flow: init };
}

const isHook = (roles: HookRoles) => (def: FunctionDefinition) => roles.has(def.name);

type FailureTest = (def: FunctionDefinition, call: CallSite) => boolean;

/** Whether a call of a function is on one of its failure paths (an error branch, the unwinding it jumps to). */
function failurePaths(scope: Scope): FailureTest {
  const byFunction = new Map<string, Set<string>>();
  const at = (place: Place) => `${place.line}:${place.column}`;
  return (def, call) => {
    const key = `${def.file}:${def.line}`;
    let places = byFunction.get(key);
    if (!places) {
      places = new Set(readInitFunction(scope, def, false).failureSteps.map((step) => at(step.place)));
      byFunction.set(key, places);
    }
    return places.has(at(call.place));
  };
}

/** What runs when the step fails: kvm_init()'s own unwinding, and the failure paths inside the step. */
function undoEntries(scope: Scope, statement: InitStatement, reached: Map<string, Reached>, onFailure: FailureTest): Reached[] {
  const own = statement.undo.flatMap(({ call, place }) => {
    const def = scope.definition(call, statement.place.file);
    return def ? [entry(def, place)] : [hookEntry(call, place)];
  });
  const inner = [...reached.values()].flatMap((node) => {
    if (isExternal(node.def)) return [];
    const failing = scope.info(node.def).facts.calls.filter((call) => onFailure(node.def, call));
    return statementEntries(scope, failing, node.def.file);
  });
  return [...own, ...inner];
}

/** Functions the statement runs: its own calls, resolved, and the callbacks it runs at once. */
function statementEntries(scope: Scope, calls: CallSite[], file: string): Reached[] {
  // A pseudo-function stands for the statement itself, so that hook calls made right in it count.
  return calls.flatMap((call) => [
    ...scope.resolve(call, file).map((def) => entry(def, call.place)),
    ...callbacksRunNow(scope, call, file).map((def) => entry(def, call.place, true)),
    ...(call.callee.kind === 'direct' ? [hookEntry(call.callee.name, call.place)] : []),
  ]);
}

/** A call to a name with no definition in scope (an arch hook) is still a node, so it can be told apart. */
function hookEntry(name: string, place: Place): Reached {
  return entry({ name, file: place.file, start: 0, end: 0, line: place.line, lastLine: 0, weak: false, static: false }, place);
}

/**
 * Every call of a hook in the reached functions, in the order the walk met them: a hook the walk
 * reached itself (`reached` its node, `caller` the node that called it), or a direct call of one
 * in a reached function (`caller` that function, `call` the call). Calls on a failure path
 * (`onFailure`) are left out.
 */
function* hookCallSites(
  scope: Scope,
  reached: Map<string, Reached>,
  roles: HookRoles,
  onFailure: FailureTest,
): Generator<{ role: string; name: string; place: Place; onEachCpu: boolean; caller: Reached | undefined } & ({ reached: Reached } | { call: CallSite })> {
  for (const node of reached.values()) {
    if (isExternal(node.def) || roles.has(node.def.name)) {
      const role = roles.get(node.def.name);
      const place = node.site ?? { file: node.def.file, line: node.def.line, column: 1 };
      if (role) yield { role, name: node.def.name, place, onEachCpu: node.onEachCpu, caller: node.parent, reached: node };
      continue;
    }
    for (const call of scope.info(node.def).facts.calls) {
      const name = calleeName(call.callee);
      const role = roles.get(name);
      if (role && call.callee.kind === 'direct' && !onFailure(node.def, call))
        yield { role, name, place: call.place, onEachCpu: node.onEachCpu, caller: node, call };
    }
  }
}

/** Hook calls made in the reached functions, in the order the walk met them, each role once per scope. */
function hookCalls(scope: Scope, reached: Map<string, Reached>, roles: HookRoles, hooks: Map<string, ProfileHook>, onFailure: FailureTest): HookCallSpec[] {
  const calls: HookCallSpec[] = [];
  const seen = new Set<string>();
  for (const { role, name, place, onEachCpu, caller } of hookCallSites(scope, reached, roles, onFailure)) {
    const on = onEachCpu ? 'each-online-cpu' : 'one-cpu';
    if (seen.has(`${role}/${on}`)) continue;
    seen.add(`${role}/${on}`);
    noteHook(scope, hooks, role, name, place);
    const chain = callChain(caller);
    calls.push({ role, on, location: locationOf(place), ...(chain.length > 0 ? { chain } : {}) });
  }
  return calls;
}

/** "kvm_init_virtualization() calls kvm_enable_virtualization() here", from the statement's call down to `node`. */
function callChain(node: Reached | undefined): RelatedLocation[] {
  const chain: RelatedLocation[] = [];
  for (let n = node; n?.parent && n.site; n = n.parent) {
    chain.unshift({ message: `${n.parent.def.name}() calls ${n.def.name}() here`, location: locationOf(n.site) });
  }
  return chain;
}

function noteHook(scope: Scope, hooks: Map<string, ProfileHook>, role: string, name: string, place: Place): void {
  if (hooks.has(role)) return;
  const weakDefault = scope.functions.get(name)?.find((d) => d.weak);
  hooks.set(role, {
    role,
    name,
    weak: !!weakDefault,
    location: weakDefault ? { file: weakDefault.file, line: weakDefault.line, column: 1 } : locationOf(place),
  });
}

function callsAnywhere(scope: Scope, reached: Map<string, Reached>, name: string): boolean {
  for (const node of reached.values()) {
    if (node.def.name === name) return true;
    if (isExternal(node.def)) continue;
    if (scope.info(node.def).facts.calls.some((c) => c.callee.kind === 'direct' && c.callee.name === name)) return true;
  }
  return false;
}

/** Calls that run what they are handed only now (on_each_cpu()), or take it back (unregister_*()), keep nothing for later. */
const NOT_FOR_LATER = /^(?:on_each_cpu|smp_call_function|schedule_on_each_cpu|unregister_|deregister_|cpuhp_remove_state)/;

function registersForLater(call: CallSite): boolean {
  return call.callee.kind !== 'direct' || !NOT_FOR_LATER.test(call.callee.name);
}

/**
 * Callbacks a step hands to the rest of the kernel (cpuhp, syscore ops, the /dev/kvm file
 * operations): what they reach can run any time from that step on.
 */
function registeredCallbacks(
  scope: Scope,
  statement: InitStatement,
  reached: Map<string, Reached>,
  roles: HookRoles,
  hooks: Map<string, ProfileHook>,
  relevant: Set<string>,
): { via: string; place: Place; calls: HookCallSpec[]; gates: string[] }[] {
  // One event per registering call: what must happen for its callbacks to run differs (a CPU
  // coming online for cpuhp_setup_state(), userspace for misc_register()).
  const byVia = new Map<string, { place: Place; entries: Reached[] }>();
  const register = (call: CallSite, file: string) => {
    if (!registersForLater(call)) return;
    const callbacks = scope.callbacks(call, file);
    if (callbacks.length === 0) return;
    const via = calleeName(call.callee);
    if (!via) return;
    const group = byVia.get(via) ?? { place: locationOf(call.place), entries: [] };
    group.entries.push(...callbacks.map((def) => entry(def, call.place)));
    byVia.set(via, group);
  };
  for (const call of statement.facts.calls) register(call, statement.place.file);
  for (const node of reached.values()) {
    if (isExternal(node.def) || roles.has(node.def.name)) continue;
    for (const call of scope.info(node.def).facts.calls) register(call, node.def.file);
  }
  return [...byVia]
    .sort(([a], [b]) => compareText(a, b))
    .map(([via, { place, entries }]) => {
      const later = reach(scope, entries, { stopAt: isHook(roles), callbacks: 'all', only: relevant });
      return { via, place, calls: hookCalls(scope, later, roles, hooks, () => false), gates: gatesOf(scope, later, roles) };
    })
    .filter((group) => group.calls.length > 0);
}

/** The conditions on the calls from `node`'s entry down to it: the guards of each call on the way. */
function pathGuards(scope: Scope, node: Reached | undefined): Set<string> {
  const names = new Set<string>();
  for (let n = node; n?.parent && n.site; n = n.parent) {
    const { line, column } = n.site;
    const call = scope.info(n.parent.def).facts.calls.find((c) => c.place.line === line && c.place.column === column);
    for (const name of call?.guards ?? []) names.add(name);
  }
  return names;
}

/**
 * The file-scope state every hook call a callback makes is conditional on (`if (kvm_usage_count)`
 * in kvm_starting_cpu(), `if (!cpumask_test_cpu(cpu, cpus_hardware_enabled)) return;` before
 * the hook): none when one hook call is unconditional.
 */
function gatesOf(scope: Scope, reached: Map<string, Reached>, roles: HookRoles): string[] {
  let common: Set<string> | undefined;
  for (const site of hookCallSites(scope, reached, roles, () => false)) {
    // The guards down to the hook: of the call that reached it, or of its caller's path and its own call.
    const guards = 'reached' in site ? [...pathGuards(scope, site.reached)] : [...pathGuards(scope, site.caller), ...(site.call.guards ?? [])];
    const names = guards.filter((name) => scope.variables.has(name));
    common = new Set(common ? names.filter((name) => common?.has(name)) : names);
  }
  return [...(common ?? [])].sort();
}

/** Callbacks kvm_init() registers for later, and the state all their hook calls are conditional on (gatesOf()). */
interface Callbacks {
  event: LifecycleEvent;
  gates: string[];
}

/** Hook roles whose calls leave virtualization enabled on a CPU, or disabled. */
const ENABLES = 'hardware-enable';
const DISABLES = 'hardware-disable';

/**
 * Whether kvm_init() returns with virtualization enabled: the last of its steps that runs the
 * enable or the disable hook on its success path runs enable (6.12's kvm_init_virtualization()
 * with enable_virt_at_load). 6.1 enables only for the first VM.
 */
function enabledOnReturn(steps: KvmInitStep[]): boolean {
  let enabled = false;
  for (const step of steps) {
    const last = [...step.calls].reverse().find((call) => call.role === ENABLES || call.role === DISABLES);
    if (last) enabled = last.role === ENABLES;
  }
  return enabled;
}

/**
 * Callbacks whose hook calls are all conditional on state that says virtualization is enabled
 * (kvm_usage_count, cpus_hardware_enabled): while kvm_init() leaves it disabled, they run
 * their hooks only once userspace has created a VM through /dev/kvm, so their window is that
 * one, from where /dev/kvm is exposed; with no /dev/kvm, none.
 */
function gated(callbacks: Callbacks[], steps: KvmInitStep[]): LifecycleEvent[] {
  if (enabledOnReturn(steps)) return callbacks.map(({ event }) => event);
  const devKvm = steps.find((step) => step.exposes === 'dev-kvm');
  const order = (id: string) => steps.findIndex((step) => step.id === id);
  return callbacks.flatMap(({ event, gates: names }) => {
    if (names.length === 0 || event.window === 'userspace') return [event];
    if (!devKvm) return [];
    const from = order(devKvm.id) > order(event.from) ? devKvm.id : event.from;
    const only = `its hooks run only while ${names.join(' and ')} ${names.length === 1 ? 'says' : 'say'} virtualization is enabled, which kvm_init() leaves off: once userspace has created a VM`;
    return [{ ...event, window: 'userspace' as const, from, summary: `${event.summary}; ${only}` }];
  });
}

/** What must happen for callbacks registered by this call to run. */
function windowOf(via: string): HookWindow {
  if (via.startsWith('cpuhp_')) return 'cpu-hotplug';
  if (/syscore|reboot|pm_notifier|shutdown|suspend/.test(via)) return 'power';
  // misc_register(&kvm_dev) and any other door that only userspace opens.
  return 'userspace';
}
