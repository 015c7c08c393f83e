// What each step of an init function sets up, what undoes it, and whether each failure path
// undoes what is set up when it runs, all read from the C. What a step sets up is what its call
// writes (file-scope state, objects handed to it by address) and the calls it makes that have
// an undo, through the helpers it calls. It needs undoing when there is evidence, strongest
// first: the function's own exit undoes it (module_exit(), kvm_exit() for kvm_init(),
// kvm_arch_exit() for kvm_arch_init()); a failure path of the function, or of a helper the step
// runs, undoes it; it keeps allocated memory in file-scope state; or, where there is no exit to
// ask, its name pairs with an undo the tree has (undo-pairs.ts).
import { KVM_INIT, type FailurePoint, type SetUp, type UndoEvidence, type Unwinding } from '@kvm-rules/core';
import type { FunctionDefinition } from './file-index.js';
import { locationOf, type Facts, type Place } from './function-facts.js';
import type { InitFlow, PathStep } from './init-flow.js';
import { calleeName, readInitFunction } from './init-flow.js';
import { isExternal } from './reach.js';
import type { Scope } from './scope.js';
import { isUndoName, partnersOf, undoes, type UndoPair } from './undo-pairs.js';

/** How deep the calls of a step are followed for what it sets up or undoes. */
const DEPTH = 3;
/** Helpers whose own failure paths count as evidence: the function the step calls (kvm_loongarch_env_init() freeing vmcs when kzalloc() fails). */
const HELPER_DEPTH = 1;

export interface UnwindOptions {
  /** The function that undoes this one as a whole, and how to name it: "module_exit(vmx_exit)", "kvm_exit()". */
  exit: { def: FunctionDefinition; label: string } | undefined;
  pairs: readonly UndoPair[];
  /** Functions whose calls are steps of their own, not followed (kvm_init() from an arch, the hooks, generic code). */
  opaque: (def: FunctionDefinition) => boolean;
  /** Each statement's step id and call text, by index. */
  ids: string[];
  calls: string[];
}

/** What one statement sets up that needs undoing, for its phase. */
export interface StatementUndo {
  undo: string;
  evidence: UndoEvidence;
  what: string[];
  /** Every call the C shows undoing it: the suggested one, and those on the way to each release. */
  calls: string[];
}

export interface UnwindResult {
  unwinding: Unwinding;
  /** By statement index: what it sets up that needs undoing. */
  needs: Map<number, StatementUndo>;
  /** By statement index of a step that can fail: the statements its failure path undoes. */
  unwinds: Map<number, number[]>;
  /** State the exit writes or releases: what the module owns and gives back (kvm_x86_ops for a vendor module). */
  exitStates: Set<string>;
}

interface Resource {
  key: string;
  /** The state, or the call, in words. */
  what: string;
  /** The call (for a `call:` resource) or the state's name. */
  name: string;
  depth: number;
  place: Place;
  allocated?: string;
  /** Functions from the step's call to where it is set up. */
  chain: string[];
}

/** Something a statement sets up that needs undoing: the evidence, and the call that undoes it there. */
interface Need {
  resource: Resource;
  evidence: UndoEvidence;
  undo: string;
  /** The functions from the evidence's undo call down to the release. */
  calls: string[];
}

interface Release {
  key: string;
  /** The call (or assignment) that releases it. */
  call: string;
  place: Place;
  chain: string[];
}

/** One step, followed into its calls: what it sets up and what it releases. */
interface Expansion {
  setups: Resource[];
  releases: Map<string, Release>;
  /** Names called anywhere in it, with the first release-like place. */
  called: Map<string, Release>;
  /** Functions reached, by depth (for the helpers' own failure paths). */
  reached: { def: FunctionDefinition; depth: number; chain: string[] }[];
}

export function unwindingOf(scope: Scope, flow: InitFlow, options: UnwindOptions): UnwindResult {
  return new Unwinder(scope, flow, options).run();
}

class Unwinder {
  /** By the facts expanded (a statement's, a function's: each made once per run), so that a lookup costs no key. */
  private readonly expansions = new WeakMap<Facts, Expansion>();
  private exitReleases: Expansion | undefined;
  /** By helper definition: what its own failure paths release. */
  private readonly helperReleases = new Map<string, Expansion>();
  private ownFailureReleases: { expansion: Expansion; step: PathStep }[] | undefined;
  /** By statement index: what it sets up that needs undoing (needed()), each read once. */
  private readonly needs = new Map<number, Need[]>();

  constructor(
    private readonly scope: Scope,
    private readonly flow: InitFlow,
    private readonly options: UnwindOptions,
  ) {}

  run(): UnwindResult {
    const { flow, options } = this;
    const needs = new Map<number, StatementUndo>();
    const unwinds = new Map<number, number[]>();
    const failures: FailurePoint[] = [];
    for (const point of flow.failures) {
      const missing = new Map<number, Map<string, Need>>();
      const undone = new Map<number, { call: string; place: Place }>();
      // What the failure paths call already: never the call to suggest.
      const called = new Set<string>();
      for (const path of point.paths) {
        const released = this.releasesOfSteps(path.steps);
        for (const name of released.called.keys()) called.add(name);
        path.setUp.forEach((i, at) => {
          if (point.failing.includes(i)) return;
          const later = path.setUp.slice(at + 1).map((j) => this.expansion(this.statementFacts(j), flow.statements[j]!.place.file));
          const needs = this.needed(i);
          // The step's own undo (kvm_x86_vendor_exit() for kvm_x86_vendor_init()) is read from its
          // own definition, as deep as the step was: what it does not take back stays set up.
          const own = this.ownUndo(i, released);
          const ownBody = own && this.bodyOf(own.call);
          for (const need of needs) {
            if (later.some((e) => this.releases(e, need.resource))) continue;
            const whole = own && (!ownBody || (need.resource.depth === 0 && need.resource.key.startsWith('call:'))) ? own : undefined;
            const by = whole ?? this.releaseIn(released, need.resource) ?? (ownBody && this.releaseIn(ownBody, need.resource));
            if (by) {
              if (!undone.has(i)) undone.set(i, { call: undoCall(by), place: by.place });
              continue;
            }
            const list = missing.get(i) ?? new Map<string, Need>();
            list.set(need.resource.key, need);
            missing.set(i, list);
          }
        });
      }
      // A step partly undone is left set up: it is not undone.
      for (const i of missing.keys()) undone.delete(i);
      const failing = point.failing.map((i) => ({ step: options.ids[i]!, call: options.calls[i]! }))[0];
      const lost = point.returnsSuccess;
      if (lost) {
        // A path that drops an error and undoes nothing is a choice (an optional feature that is
        // only logged), unless the error is kvm_init()'s or the path skips the kvm_init() the
        // function makes. One that unwinds and then returns success loses the error: that, not
        // what it leaves set up, is what the caller must be told.
        const callsKvmInit = (i: number) => flow.statements[i]!.call === KVM_INIT;
        const skipsKvmInit = flow.statements.some((_, i) => callsKvmInit(i)) && point.paths.some((path) => !path.setUp.some(callsKvmInit));
        if (undone.size === 0 && !point.failing.some(callsKvmInit) && !skipsKvmInit) continue;
        missing.clear();
      }
      failures.push({
        location: locationOf(point.place),
        text: point.text,
        ...(failing ? { failing } : {}),
        ...(lost ? { returnsSuccess: { location: locationOf(lost.place), text: lost.text } } : {}),
        missing: [...missing].sort(([a], [b]) => a - b).map(([i, list]) => this.setUpOf(i, [...list.values()], point.failing, called)),
        undone: [...undone]
          .sort(([a], [b]) => a - b)
          .map(([i, by]) => ({ setUp: this.setUpOf(i, this.needed(i), point.failing), call: by.call, location: locationOf(by.place) })),
      });
      for (const f of point.failing) {
        const list = unwinds.get(f) ?? [];
        for (const i of undone.keys()) if (!list.includes(i)) list.push(i);
        unwinds.set(
          f,
          list.sort((a, b) => a - b),
        );
      }
    }
    // Every statement, whether a failure follows it or not: plugin-drift compares each with its declaration.
    flow.statements.forEach((_, i) => {
      const list = this.needed(i);
      if (list.length > 0) {
        const setUp = this.setUpOf(i, list, []);
        const calls = new Set([setUp.undo, ...list.flatMap((n) => n.calls)]);
        needs.set(i, { undo: setUp.undo, evidence: setUp.evidence, what: setUp.what, calls: [...calls] });
      }
    });
    const def = flow.def;
    const exitStates = new Set<string>();
    if (options.exit) {
      const exit = this.expansion(this.scope.info(options.exit.def).facts, options.exit.def.file);
      for (const key of [...exit.releases.keys(), ...exit.setups.map((r) => r.key)]) if (key.startsWith('var:')) exitStates.add(key.slice(4));
    }
    return { unwinding: { function: def.name, location: { file: def.file, line: def.line, column: 1 }, failures }, needs, unwinds, exitStates };
  }

  // --- what a step sets up and releases ---------------------------------------------------------

  private statementFacts(i: number): Facts {
    return this.flow.statements[i]!.facts;
  }

  /** A step's facts followed into the functions it calls, DEPTH deep, opaque functions left whole. */
  private expansion(facts: Facts, file: string): Expansion {
    const cached = this.expansions.get(facts);
    if (cached) return cached;
    const expansion: Expansion = { setups: [], releases: new Map(), called: new Map(), reached: [] };
    const seen = new Set<string>();
    const queue: { facts: Facts; file: string; depth: number; chain: string[] }[] = [{ facts, file, depth: 0, chain: [] }];
    // The queue grows as it is walked: for-of reads its length at each step.
    for (const { facts: current, file: from, depth, chain } of queue) {
      this.note(expansion, current, depth, chain);
      if (depth >= DEPTH) continue;
      for (const call of current.calls) {
        for (const def of this.scope.resolve(call, from)) {
          const id = `${def.file}:${def.name}:${def.line}`;
          if (seen.has(id) || isExternal(def) || this.options.opaque(def)) continue;
          seen.add(id);
          const next = [...chain, def.name];
          expansion.reached.push({ def, depth: depth + 1, chain: next });
          queue.push({ facts: this.scope.info(def).facts, file: def.file, depth: depth + 1, chain: next });
        }
      }
    }
    this.expansions.set(facts, expansion);
    return expansion;
  }

  private note(expansion: Expansion, facts: Facts, depth: number, chain: string[]): void {
    const variables = this.scope.variables;
    for (const ref of facts.refs) {
      if (!ref.write || !variables.has(ref.name)) continue;
      const key = `var:${ref.name}`;
      if (!expansion.setups.some((r) => r.key === key)) {
        expansion.setups.push({ key, what: ref.name, name: ref.name, depth, place: ref.place, chain, ...(ref.allocated ? { allocated: ref.allocated } : {}) });
      }
      // Putting a constant back (`vmcs = NULL`, `allow_smaller_maxphyaddr = false`) undoes a write; other writes do not.
      if (ref.constant && !expansion.releases.has(key)) expansion.releases.set(key, { key, call: `${ref.name} = …`, place: ref.place, chain });
    }
    for (const call of facts.calls) {
      const name = calleeName(call.callee);
      const release: Release = { key: `call:${name}`, call: name, place: call.place, chain };
      if (!expansion.called.has(name)) expansion.called.set(name, release);
      if (partnersOf(name, this.options.pairs).length > 0 && !expansion.setups.some((r) => r.key === `call:${name}`)) {
        expansion.setups.push({ key: `call:${name}`, what: `what ${name}() set up`, name, depth, place: call.place, chain });
      }
      // An undo call releases what it is handed: kfree(x), unregister_die_notifier(&n), free_cpumask_var(per_cpu(m, cpu)).
      if (isUndoName(name, this.options.pairs)) {
        for (const arg of call.argNames) {
          const key = `var:${arg}`;
          if (variables.has(arg) && !expansion.releases.has(key)) expansion.releases.set(key, { key, call: name, place: call.place, chain });
        }
      }
    }
  }

  /**
   * Whether a call of statement i closes what an earlier call of the success path opened: its
   * pair's other side ran first (preempt_enable() after preempt_disable(), a static key enabled
   * again after being disabled). It puts back what was there, and sets nothing up that a failure
   * must undo.
   */
  private closesSection(name: string, i: number): boolean {
    return this.flow.statements.slice(0, i).some((s) => s.facts.calls.some((call) => undoes(calleeName(call.callee), name, this.options.pairs)));
  }

  /** What a function of the scope does, followed into its calls; undefined outside the scope. */
  private bodyOf(name: string): Expansion | undefined {
    const def = this.scope.functions.has(name) ? this.scope.definition(name, this.flow.def.file) : undefined;
    if (!def || isExternal(def) || this.options.opaque(def)) return undefined;
    return this.expansion(this.scope.info(def).facts, def.file);
  }

  /** The release, in an expansion, of the call statement i makes: its undo as a whole. */
  private ownUndo(i: number, expansion: Expansion): Release | undefined {
    const call = this.flow.statements[i]!.call;
    if (!call) return undefined;
    for (const [name, release] of expansion.called) if (undoes(name, call, this.options.pairs)) return release;
    return undefined;
  }

  private releases(expansion: Expansion, resource: Resource): boolean {
    return this.releaseIn(expansion, resource) !== undefined;
  }

  /** The release of a resource in an expansion: the state written or handed to an undo, or a call that pairs with it. */
  private releaseIn(expansion: Expansion, resource: Resource): Release | undefined {
    if (resource.key.startsWith('var:')) return expansion.releases.get(resource.key);
    for (const [name, release] of expansion.called) if (undoes(name, resource.name, this.options.pairs)) return release;
    return undefined;
  }

  private releasesOfSteps(steps: PathStep[]): Expansion {
    const merged: Expansion = { setups: [], releases: new Map(), called: new Map(), reached: [] };
    // A call the path makes itself wins over one a helper makes deeper down: kmem_cache_destroy()
    // at kvm_init()'s own label, not the one inside kvm_async_pf_deinit() that destroys another cache.
    const keep = (map: Map<string, Release>, key: string, release: Release) => {
      const held = map.get(key);
      if (!held || release.chain.length < held.chain.length) map.set(key, release);
    };
    for (const step of steps) {
      const expansion = this.expansion(step.facts, step.place.file);
      for (const [key, release] of expansion.releases) keep(merged.releases, key, release);
      for (const [name, release] of expansion.called) keep(merged.called, name, release);
    }
    return merged;
  }

  // --- evidence -------------------------------------------------------------------------------------

  /** What statement i sets up that needs undoing, each with its strongest evidence. */
  private needed(i: number): Need[] {
    let list = this.needs.get(i);
    if (!list) this.needs.set(i, (list = this.neededNow(i)));
    return list;
  }

  private neededNow(i: number): Need[] {
    const statement = this.flow.statements[i]!;
    const expansion = this.expansion(statement.facts, statement.place.file);
    const found: Need[] = [];
    for (const resource of expansion.setups) {
      if (this.setsUpNothing(resource, statement.place.file)) continue;
      if (resource.depth === 0 && resource.key.startsWith('call:') && this.closesSection(resource.name, i)) continue;
      const need = this.evidenceFor(resource, i, expansion);
      if (need) found.push(need);
    }
    return found;
  }

  private evidenceFor(resource: Resource, i: number, expansion: Expansion): Need | undefined {
    const exit = this.options.exit;
    const found = (evidence: UndoEvidence, undo: string, release?: Release): Need => ({
      resource,
      evidence,
      undo,
      calls: release ? [...release.chain, release.call].filter((c) => !c.endsWith('…')) : [undo],
    });
    if (exit) {
      this.exitReleases ??= this.expansion(this.scope.info(exit.def).facts, exit.def.file);
      const release = this.releaseIn(this.exitReleases, resource);
      if (release)
        return found({ kind: 'exit', text: `${exit.label} undoes it ${through(release)}`, location: locationOf(release.place) }, undoCall(release), release);
    }
    this.ownFailureReleases ??= this.flow.failureSteps.map((step) => ({ step, expansion: this.expansion(step.facts, step.place.file) }));
    for (const { step, expansion: own } of this.ownFailureReleases) {
      const release = this.releaseIn(own, resource);
      if (release)
        return found(
          { kind: 'failure-path', text: `the failure path at ${where(step.place)} undoes it ${through(release)}`, location: locationOf(release.place) },
          undoCall(release),
          release,
        );
    }
    for (const helper of this.helpersReleasing(expansion, resource)) {
      const release = this.releaseIn(helper.releases, resource);
      if (release)
        return found(
          { kind: 'failure-path', text: `a failure path of ${helper.name}() undoes it ${through(release)}`, location: locationOf(release.place) },
          undoCall(release),
          release,
        );
    }
    if (resource.allocated && resource.depth <= 1) {
      const free = partnersOf(resource.allocated, this.options.pairs).find((p) => !p.includes('*')) ?? 'its free';
      return found({ kind: 'allocation', text: `${resource.name} keeps memory from ${resource.allocated}()`, location: locationOf(resource.place) }, free);
    }
    if (!exit && resource.depth === 0 && resource.key.startsWith('call:')) {
      const partner = partnersOf(resource.name, this.options.pairs).find((p) => !p.includes('*') && this.known(p));
      if (partner) return found({ kind: 'naming-pair', text: `${resource.name}() pairs with ${partner}()` }, partner);
    }
    return undefined;
  }

  /**
   * A call of a function of the scope that, in this configuration, writes no state and makes no
   * call that has an undo (kvmppc_booke_init() when CONFIG_KVM_BOOKE_HV rules out its allocation):
   * there is nothing of it to undo, whatever its name pairs with.
   */
  private setsUpNothing(resource: Resource, file: string): boolean {
    if (!resource.key.startsWith('call:')) return false;
    const def = this.scope.functions.has(resource.name) ? this.scope.definition(resource.name, file) : undefined;
    if (!def || isExternal(def) || this.options.opaque(def)) return false;
    const own = this.scope.info(def).facts;
    return this.expansion(own, def.file).setups.length === 0;
  }

  /**
   * The helpers a statement runs (its call, and what that calls) whose failure paths undo a
   * resource. A helper is read path by path only when its body releases the resource at all:
   * its failure paths are part of its body, and most helpers release nothing.
   */
  private *helpersReleasing(expansion: Expansion, resource: Resource): Generator<{ releases: Expansion; name: string }> {
    for (const { def, depth } of expansion.reached) {
      if (depth > HELPER_DEPTH) continue;
      if (!this.releases(this.expansion(this.scope.info(def).facts, def.file), resource)) continue;
      const id = `${def.file}:${def.name}:${def.line}`;
      let releases = this.helperReleases.get(id);
      if (!releases) {
        releases = this.releasesOfSteps(readInitFunction(this.scope, def, false).failureSteps);
        this.helperReleases.set(id, releases);
      }
      yield { releases, name: def.name };
    }
  }

  /** A function the tree defines or calls somewhere: an undo that exists. */
  private known(name: string): boolean {
    return this.scope.functions.has(name) || this.scope.mentionedBy(name).length > 0;
  }

  // --- findings' data --------------------------------------------------------------------------------

  private setUpOf(i: number, needs: Need[], failing: number[], called = new Set<string>()): SetUp {
    const statement = this.flow.statements[i]!;
    const states = needs.filter((n) => n.resource.key.startsWith('var:'));
    const own = needs.find((n) => n.resource.depth === 0 && n.resource.key.startsWith('call:'));
    const calls = own ? [own] : needs;
    const what = states.length > 0 ? [...new Set(states.map((n) => n.resource.name))] : [...new Set(calls.map((n) => `what ${n.resource.name}() set up`))];
    // The evidence for what the message names: the state when it names state.
    const strongest = [...(states.length > 0 ? states : needs)].sort((a, b) => RANK[a.evidence.kind] - RANK[b.evidence.kind])[0]!;
    return {
      step: this.options.ids[i]!,
      call: this.options.calls[i]!,
      location: locationOf(statement.place),
      what,
      undo: this.suggestion(i, needs, failing, called),
      evidence: strongest.evidence,
    };
  }

  /**
   * The call to suggest: the step's own undo (kvm_exit() for kvm_init()) when the tree has it and
   * it takes back nothing of the step that failed and the failure path does not call it already
   * (kvm_x86_vendor_exit() that leaves what the vendor's setup allocated); else the call that
   * releases the state.
   */
  private suggestion(i: number, needs: Need[], failing: number[], called: Set<string>): string {
    const call = this.flow.statements[i]!.call;
    const partner = call ? partnersOf(call, this.options.pairs).find((p) => !p.includes('*') && this.scope.functions.has(p) && !called.has(p)) : undefined;
    if (partner) {
      const def = this.scope.definition(partner, this.flow.def.file);
      const undoes = def ? this.expansion(this.scope.info(def).facts, def.file) : undefined;
      const failed = failing.flatMap((f) => this.needed(f).map((n) => n.resource));
      if (!undoes || !failed.some((r) => this.releases(undoes, r))) return partner;
    }
    const states = needs.filter((n) => n.resource.key.startsWith('var:'));
    return [...(states.length > 0 ? states : needs)].sort((a, b) => RANK[a.evidence.kind] - RANK[b.evidence.kind])[0]?.undo ?? partner ?? 'its undo';
  }
}

const RANK: Record<UndoEvidence['kind'], number> = { exit: 0, 'failure-path': 1, allocation: 2, 'naming-pair': 3, declared: 4 };

function where(place: Place): string {
  return `${place.file.split('/').at(-1)}:${place.line}`;
}

/** The call to name as the undo: the one that releases, not the assignment that resets. */
function undoCall(release: Release): string {
  return release.call.endsWith('…') ? (release.chain.at(-1) ?? release.call.replace(/ = …$/, '')) : release.call;
}

/** "with kvm_exit()" or "through __vmx_exit() → vmx_cleanup_l1d_flush() → free_pages()". */
function through(release: Release): string {
  const call = release.call.endsWith('…') ? release.call : `${release.call}()`;
  if (release.chain.length === 0) return `with ${call}`;
  return `through ${[...release.chain.map((f) => `${f}()`), call].join(' → ')}`;
}
