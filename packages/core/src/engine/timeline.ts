import { compareLocations, type Location } from '../model/location.js';
import type { RelatedLocation } from '../model/finding.js';
import type { FailurePoint, Unwinding } from '../model/unwinding.js';
import { declaredUnwinding, phaseCalling, type HookImplementation, type ModuleInit, type Phase, type Plugin } from '../model/plugin.js';
import { AFTER_MODULE_INIT, type CpuScope, type HookCallSpec, type HookWindow, type KvmInitStep, type LifecycleEvent, type Profile } from '../model/profile.js';

export const KVM_INIT = 'kvm_init';

interface EventBase {
  /** Position in the timeline; earlier events have smaller numbers. */
  seq: number;
  location: Location;
}

export interface PhaseEvent extends EventBase {
  kind: 'Phase';
  module: ModuleInit;
  phase: Phase;
  /** This phase comes after the kvm_init() call on the success path. */
  afterKvmInit: boolean;
}

export interface KvmInitStepEvent extends EventBase {
  kind: 'KvmInitStep';
  step: KvmInitStep;
}

/** Where a hook call happens: a kvm_init() step, or a lifecycle event. */
export type Trigger = { kind: 'step'; step: KvmInitStep } | { kind: 'lifecycle'; event: LifecycleEvent };

export interface HookCallEvent extends EventBase {
  kind: 'HookCall';
  role: string;
  /** The hook's function name in the profile's kernel version. */
  name: string;
  on: CpuScope;
  /** The arch's implementation; undefined when the arch implements no such hook. */
  hook: HookImplementation | undefined;
  trigger: Trigger;
  /** Called only when the step fails partway (rollback). */
  rollback: boolean;
  /** The call happens inside kvm_init(), i.e. while the arch module init is still running. */
  duringModuleInit: boolean;
  /** With a tree: the generic calls from the statement that starts it down to the hook call. */
  chain: RelatedLocation[];
}

export type StateInitializer =
  { kind: 'static' } | { kind: 'phase'; phase: Phase; module: ModuleInit } | { kind: 'hook'; call: HookCallEvent } | { kind: 'step'; step: KvmInitStep };

export interface StateInitEvent extends EventBase {
  kind: 'StateInit';
  state: string;
  by: StateInitializer;
}

export interface ExposeEvent extends EventBase {
  kind: 'Expose';
  what: 'dev-kvm';
  step: KvmInitStep;
}

/** The Lifecycle node: a lifecycle event of the profile (LifecycleEvent, whose name it cannot take) happening. */
export interface LifecycleTimelineEvent extends EventBase {
  kind: 'Lifecycle';
  event: LifecycleEvent;
}

export interface ModuleInitDoneEvent extends EventBase {
  kind: 'ModuleInitDone';
  module: ModuleInit;
}

/** Where an init function can fail: the arch's module init, a setup hook kvm_init() runs, or kvm_init() itself. */
export interface FailureEvent extends EventBase {
  kind: 'Failure';
  owner: 'module-init' | 'hook' | 'kvm-init';
  unwinding: Unwinding;
  failure: FailurePoint;
}

export type TimelineEvent =
  FailureEvent | PhaseEvent | KvmInitStepEvent | HookCallEvent | StateInitEvent | ExposeEvent | LifecycleTimelineEvent | ModuleInitDoneEvent;

/** One arch module init composed with one profile: everything that happens, in order. */
export interface Timeline {
  kind: 'Timeline';
  arch: string;
  plugin: Plugin;
  profile: Profile;
  module: ModuleInit;
  events: TimelineEvent[];
  location: Location;
}

type Draft<E> = E extends TimelineEvent ? Omit<E, 'seq'> : never;

class TimelineBuilder {
  readonly events: TimelineEvent[] = [];

  constructor(
    private readonly plugin: Plugin,
    private readonly profile: Profile,
  ) {}

  push(event: Draft<TimelineEvent>): TimelineEvent {
    const full = { ...event, seq: this.events.length };
    this.events.push(full);
    return full;
  }

  staticState(): void {
    for (const catalog of [this.profile.state, this.plugin.state]) {
      for (const state of catalog.values()) {
        if (state.static) this.push({ kind: 'StateInit', state: state.name, by: { kind: 'static' }, location: state.location });
      }
    }
  }

  phase(module: ModuleInit, phase: Phase, afterKvmInit: boolean): void {
    this.push({ kind: 'Phase', module, phase, afterKvmInit, location: phase.location });
    for (const state of phase.initializes) {
      this.push({ kind: 'StateInit', state, by: { kind: 'phase', phase, module }, location: phase.location });
    }
  }

  failures(owner: FailureEvent['owner'], unwinding: Unwinding, failures: FailurePoint[]): void {
    for (const failure of failures) this.push({ kind: 'Failure', owner, unwinding, failure, location: failure.location });
  }

  private readonly hooksUnwound = new Set<string>();

  hookCalls(specs: HookCallSpec[], trigger: Trigger, rollback: boolean, duringModuleInit: boolean): void {
    for (const spec of specs) {
      const declared = this.profile.hooks.get(spec.role);
      const hook = this.plugin.hooks.get(spec.role);
      const call = this.push({
        kind: 'HookCall',
        role: spec.role,
        name: declared?.name ?? spec.role,
        on: spec.on,
        hook,
        trigger,
        rollback,
        duringModuleInit,
        chain: spec.chain ?? [],
        location: spec.location,
      }) as HookCallEvent;
      if (hook) {
        for (const state of hook.initializes) this.push({ kind: 'StateInit', state, by: { kind: 'hook', call }, location: hook.location });
      }
      // A setup hook's own failure paths run where it first runs.
      if (hook?.unwinding && !rollback && !this.hooksUnwound.has(spec.role)) {
        this.hooksUnwound.add(spec.role);
        this.failures('hook', hook.unwinding, hook.unwinding.failures);
      }
    }
  }

  lifecycleFrom(from: string, duringModuleInit: boolean): void {
    for (const event of this.profile.lifecycle.filter((e) => e.from === from)) {
      this.push({ kind: 'Lifecycle', event, location: event.location });
      this.hookCalls(event.calls, { kind: 'lifecycle', event }, false, duringModuleInit);
    }
  }

  kvmInit(): void {
    const unwinding = this.profile.unwinding;
    const slots = slotsOf(this.profile.kvmInit, unwinding?.failures ?? []);
    for (const [i, step] of this.profile.kvmInit.entries()) {
      this.push({ kind: 'KvmInitStep', step, location: step.location });
      const trigger: Trigger = { kind: 'step', step };
      this.hookCalls(step.calls, trigger, false, true);
      this.hookCalls(step.rollback, trigger, true, true);
      for (const state of step.initializes) {
        this.push({ kind: 'StateInit', state, by: { kind: 'step', step }, location: step.location });
      }
      if (step.exposes) this.push({ kind: 'Expose', what: step.exposes, step, location: step.location });
      if (unwinding) this.failures('kvm-init', unwinding, slots.get(i) ?? []);
      // Events that can happen from this step on happen, at the earliest, right after it.
      this.lifecycleFrom(step.id, true);
    }
  }
}

/**
 * Composes one module init of a plugin with a profile: the arch phases in order, the
 * kvm_init() phase expanded into the profile's steps with their hook calls, then what can
 * happen once module init has returned. Each lifecycle event is placed at the earliest
 * point it can happen, which is what "initialized before the hook first runs" needs.
 */
export function buildTimeline(plugin: Plugin, module: ModuleInit, profile: Profile): Timeline {
  const builder = new TimelineBuilder(plugin, profile);
  builder.staticState();
  const kvmInitPhase = phaseCalling(module, KVM_INIT);
  const unwinding = module.unwinding ?? declaredUnwinding(module.init, module.location, module.phases);
  const slots = slotsOf(module.phases, unwinding.failures);
  builder.failures('module-init', unwinding, slots.get(-1) ?? []);
  let seenKvmInit = false;
  for (const [i, phase] of module.phases.entries()) {
    builder.phase(module, phase, seenKvmInit);
    if (phase === kvmInitPhase) {
      builder.kvmInit();
      seenKvmInit = true;
    }
    builder.failures('module-init', unwinding, slots.get(i) ?? []);
  }
  builder.push({ kind: 'ModuleInitDone', module, location: module.location });
  builder.lifecycleFrom(AFTER_MODULE_INIT, false);
  return { kind: 'Timeline', arch: plugin.id, plugin, profile, module, events: builder.events, location: module.location };
}

/** Each failure point after the last step at or before it (-1: before the first), so that it follows what it fails. */
function slotsOf(steps: { location: Location }[], failures: FailurePoint[]): Map<number, FailurePoint[]> {
  const slots = new Map<number, FailurePoint[]>();
  for (const failure of failures) {
    let slot = -1;
    steps.forEach((step, i) => {
      if (step.location.file === failure.location.file && compareLocations(step.location, failure.location) <= 0) slot = i;
    });
    slots.set(slot, [...(slots.get(slot) ?? []), failure]);
  }
  return slots;
}

/**
 * How a hook call comes to run: on every module load (a kvm_init() step, or its rollback when a
 * later step fails), or only if something happens in a window (userspace, CPU hotplug, power).
 */
export type HookRun = { kind: 'certain' } | { kind: 'window'; window: HookWindow };

export function howItRuns(call: HookCallEvent): HookRun {
  return call.trigger.kind === 'step' ? { kind: 'certain' } : { kind: 'window', window: call.trigger.event.window };
}

/** Human words for where a hook call happens, for messages. */
export function describeTrigger(call: HookCallEvent): string {
  const cpus = call.on === 'each-online-cpu' ? ' on every online CPU' : '';
  if (call.trigger.kind === 'step') {
    const how = call.rollback ? 'on rollback of' : 'in';
    return `${how} kvm_init() step "${call.trigger.step.id}"${cpus}`;
  }
  return `at "${call.trigger.event.id}"${cpus}`;
}
