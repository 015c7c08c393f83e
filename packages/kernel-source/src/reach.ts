// Breadth-first walks of the call graph, so that each function is reached by its shortest chain,
// which is the chain a finding shows.
import type { FunctionDefinition } from './file-index.js';
import type { CallSite, Place } from './function-facts.js';
import { functionKey, type Scope } from './scope.js';

/**
 * Calls that run a function they are handed right away, on every online CPU, by argument
 * position: `on_each_cpu(fn, …)`, `smp_call_function_single(cpu, fn, …)`, and
 * `cpuhp_setup_state(state, name, startup, teardown)`, which runs `startup` on every CPU now
 * (its teardown runs on CPU removal, on rollback, and when cpuhp_remove_state() tears it down).
 */
const RUN_ON_EACH_CPU = new Map<string, number[]>([
  ['on_each_cpu', [0]],
  ['on_each_cpu_mask', [1]],
  ['on_each_cpu_cond', [0, 1]],
  ['smp_call_function', [0]],
  ['smp_call_function_many', [1]],
  ['smp_call_function_single', [1]],
  ['cpuhp_setup_state', [2]],
  ['schedule_on_each_cpu', [0]],
]);

const CPUHP_REMOVE = /^cpuhp_remove_state(?:_nocalls)?$/;

export interface Reached {
  def: FunctionDefinition;
  parent: Reached | undefined;
  /** The call (in the parent) that reaches this function. */
  site: Place | undefined;
  /** Reached through a call that runs it on every online CPU. */
  onEachCpu: boolean;
}

export interface ReachOptions {
  /** Functions not walked into (they are still reached): hooks, kvm_init(). */
  stopAt?: (def: FunctionDefinition) => boolean;
  /** Which handed-over functions to walk into: those run right away (default), or every one (callbacks registered for later too). */
  callbacks?: 'now' | 'all';
  /** Walk only into functions of these names (the entries always count). */
  only?: Set<string>;
  /** Calls of a function not to follow (its failure path, when only success counts). */
  skip?: (def: FunctionDefinition, call: CallSite) => boolean;
}

/** The functions a call runs right away on every online CPU (see RUN_ON_EACH_CPU); none for most calls. */
export function callbacksRunNow(scope: Scope, call: CallSite, file: string): FunctionDefinition[] {
  if (call.callee.kind !== 'direct') return [];
  const positions = RUN_ON_EACH_CPU.get(call.callee.name);
  if (positions) return scope.callbacks(call, file, positions);
  if (CPUHP_REMOVE.test(call.callee.name) && call.args[0]) return scope.cpuhpTeardowns(call.args[0]);
  return [];
}

/** Every function reachable from `entries`, each with the shortest chain that reaches it (per CPU scope). */
export function reach(scope: Scope, entries: Reached[], options: ReachOptions = {}): Map<string, Reached> {
  const seen = new Map<string, Reached>();
  const queue: Reached[] = [];
  for (const entry of entries) enqueue(entry);
  function enqueue(node: Reached): void {
    // A function reached on one CPU and on every CPU is two nodes: the second tells more.
    const key = `${functionKey(node.def)}${node.onEachCpu ? '@each-cpu' : ''}`;
    if (seen.has(key) || (node.parent && options.only && !options.only.has(node.def.name))) return;
    seen.set(key, node);
    queue.push(node);
  }
  // The queue grows as it is walked: for-of reads its length at each step.
  for (const node of queue) {
    if (isExternal(node.def) || options.stopAt?.(node.def)) continue;
    for (const call of scope.info(node.def).facts.calls) {
      if (options.skip?.(node.def, call)) continue;
      const from = node.def.file;
      for (const def of scope.resolve(call, from)) enqueue({ def, parent: node, site: call.place, onEachCpu: node.onEachCpu });
      for (const def of callbacksRunNow(scope, call, from)) enqueue({ def, parent: node, site: call.place, onEachCpu: true });
      if (options.callbacks !== 'all') continue;
      for (const def of scope.callbacks(call, from)) enqueue({ def, parent: node, site: call.place, onEachCpu: node.onEachCpu });
    }
  }
  return seen;
}

/** A stand-in for a function defined outside the scope (a call to it is still a node of the walk). */
export function isExternal(def: FunctionDefinition): boolean {
  return def.end === 0;
}

export function entry(def: FunctionDefinition, site?: Place, onEachCpu = false): Reached {
  return { def, parent: undefined, site, onEachCpu };
}

/** The chain from the entry to `node`, entry first. */
function chainOf(node: Reached): Reached[] {
  const chain: Reached[] = [];
  for (let n: Reached | undefined = node; n; n = n.parent) chain.unshift(n);
  return chain;
}

export interface StateAccess {
  state: string;
  /** The member touched, for a struct reached with `.` (kvm_caps.supported_xss). */
  field?: string;
  /** The first touch writes the state (a hook that sets it, rather than reads it). */
  write: boolean;
  /** The first read is in a condition: the value decides what the code does. */
  decides?: boolean;
  /** The functions from the entry to the one that touches the state, entry first. */
  chain: Reached[];
  /** Where the state is touched. */
  place: Place;
}

/**
 * What stateAccesses() collects: every touch, writes only, or the writes that initialize the
 * state itself (not what a pointer it holds points at).
 */
type AccessKind = 'any' | 'write' | 'initialize';

/**
 * File-scope state each reached function touches, first chain wins; `byMember`: each member of
 * a struct (kvm_caps.supported_xss, kvm_caps.has_tsc_control) apart, keyed `name.member`.
 */
export function stateAccesses(scope: Scope, reached: Map<string, Reached>, kind: AccessKind, byMember = false): Map<string, StateAccess> {
  const accesses = new Map<string, StateAccess>();
  for (const node of reached.values()) {
    if (isExternal(node.def)) continue;
    for (const ref of scope.info(node.def).facts.refs) {
      if (kind !== 'any' && !ref.write) continue;
      if (kind === 'initialize' && ref.through && scope.isPointer(ref.name)) continue;
      const key = byMember && ref.field ? `${ref.name}.${ref.field}` : ref.name;
      if (accesses.has(key) || !scope.variables.has(ref.name)) continue;
      if (ref.ifPointer && !scope.isPointer(ref.name)) continue;
      // `p = NULL` sets nothing up for whoever reads p.
      if (kind !== 'any' && ref.null) continue;
      accesses.set(key, {
        state: ref.name,
        write: ref.write,
        chain: chainOf(node),
        place: ref.place,
        ...(ref.field ? { field: ref.field } : {}),
        ...(ref.decides ? { decides: true } : {}),
      });
    }
  }
  return accesses;
}
