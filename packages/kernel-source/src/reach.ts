// Breadth-first walks of the call graph, so that each function is reached by its shortest chain,
// which is the chain a finding shows.
import type { FunctionDefinition } from './file-index.js';
import type { CallSite, Place } from './function-facts.js';
import { functionKey, type Scope } from './scope.js';

/** Calls that run the functions they are handed right away: on every online CPU. */
export const RUN_ON_EACH_CPU = new Set([
  'on_each_cpu',
  'on_each_cpu_mask',
  'on_each_cpu_cond',
  'smp_call_function',
  'smp_call_function_many',
  'smp_call_function_single',
  'cpuhp_setup_state',
  'schedule_on_each_cpu',
]);

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
  /** Also walk into call sites for which this says yes (default: only calls that run now). */
  followCallbacks?: (call: CallSite) => boolean;
  /** Walk only into functions of these names (the entries always count). */
  only?: Set<string>;
}

export function runsCallbacksNow(call: CallSite): boolean {
  return call.callee.kind === 'direct' && RUN_ON_EACH_CPU.has(call.callee.name);
}

/** Every function reachable from `entries`, each with the shortest chain that reaches it. */
export function reach(scope: Scope, entries: Reached[], options: ReachOptions = {}): Map<string, Reached> {
  const follow = options.followCallbacks ?? runsCallbacksNow;
  const seen = new Map<string, Reached>();
  const queue: Reached[] = [];
  for (const entry of entries) enqueue(entry);
  function enqueue(node: Reached): void {
    const key = functionKey(node.def);
    if (seen.has(key) || (node.parent && options.only && !options.only.has(node.def.name))) return;
    seen.set(key, node);
    queue.push(node);
  }
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (isExternal(node.def) || options.stopAt?.(node.def)) continue;
    for (const call of scope.info(node.def).facts.calls) {
      for (const def of scope.resolve(call, node.def.file)) enqueue({ def, parent: node, site: call.place, onEachCpu: node.onEachCpu });
      if (!follow(call)) continue;
      const eachCpu = node.onEachCpu || runsCallbacksNow(call);
      for (const def of scope.callbacks(call, node.def.file)) enqueue({ def, parent: node, site: call.place, onEachCpu: eachCpu });
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
export function chainOf(node: Reached): Reached[] {
  const chain: Reached[] = [];
  for (let n: Reached | undefined = node; n; n = n.parent) chain.unshift(n);
  return chain;
}

export interface StateAccess {
  state: string;
  /** The functions from the entry to the one that touches the state, entry first. */
  chain: Reached[];
  /** Where the state is touched. */
  place: Place;
}

/** What stateAccesses() collects: every touch, writes of any kind, or only assignments. */
export type AccessKind = 'any' | 'write' | 'assign';

/** File-scope state each reached function touches, first chain wins. */
export function stateAccesses(scope: Scope, reached: Map<string, Reached>, kind: AccessKind): Map<string, StateAccess> {
  const accesses = new Map<string, StateAccess>();
  for (const node of reached.values()) {
    if (isExternal(node.def)) continue;
    for (const ref of scope.info(node.def).facts.refs) {
      if (kind !== 'any' && !ref.write) continue;
      if (kind === 'assign' && ref.how !== 'assign') continue;
      if (accesses.has(ref.name) || !scope.variables.has(ref.name)) continue;
      accesses.set(ref.name, { state: ref.name, chain: chainOf(node), place: ref.place });
    }
  }
  return accesses;
}
