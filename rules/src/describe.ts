import {
  AFTER_MODULE_INIT,
  describeTrigger,
  howItRuns,
  type HookCallEvent,
  type HookWindow,
  type Location,
  type RelatedLocation,
  type StateInitializer,
  type Timeline,
} from '@kvm-rules/core';

/** Until when, in a window: the statement or step that initializes the state. */
export function untilText(by: StateInitializer): string {
  switch (by.kind) {
    case 'phase':
      return `${callText(by.phase)} in ${by.module.init}()`;
    case 'hook':
      return `the ${by.call.role} hook ${by.call.hook?.impl ?? by.call.name}() runs`;
    case 'step':
      return `kvm_init() step "${by.step.id}"`;
    case 'static':
      return 'the start';
  }
}

/** "by phase loaded-vmcss-init of vmx_init()" and the like, for messages. */
export function describeInitializer(by: StateInitializer): string {
  switch (by.kind) {
    case 'static':
      return 'statically';
    case 'phase':
      return `by phase "${by.phase.id}" (${callText(by.phase)}) of ${by.module.init}()`;
    case 'hook':
      return `by the ${by.call.role} hook ${by.call.hook?.impl ?? by.call.name}()`;
    case 'step':
      return `by kvm_init() step "${by.step.id}"`;
  }
}

export function listPhases(ids: string[]): string {
  return ids.map((id) => `"${id}"`).join(', ');
}

/** "foo()" for a phase that calls foo, "foo = …" for one read from source that assigns foo. */
export function callText(phase: { call: string; assigns?: boolean }): string {
  return phase.assigns ? `${phase.call} = …` : `${phase.call}()`;
}

/** How a hook gets to run, or late work gets seen: on every module load, or only in some windows. */
export type Reach = { kind: 'certain' } | { kind: 'window'; windows: HookWindow[]; opens: string; until: string };

const SEVERITY = { type: 'string', enum: ['error', 'warning', 'off'] } as const;

/** The options that set a finding's severity by how it can happen (capped by the rule's configured severity). */
export const reachSeverities = {
  certain: {
    ...SEVERITY,
    description:
      'Severity when kvm_init() runs the hook on every module load (a step, or its rollback when that step fails). Default: the severity the rule is configured with (error in the default set).',
  },
  window: {
    ...SEVERITY,
    description:
      'Severity when it takes something to happen in a window (userspace, CPU hotplug, suspend/reboot). Default: warning (kvm-init-last, always a window: the severity the rule is configured with).',
  },
  builtInUserspace: {
    ...SEVERITY,
    description:
      'Severity when only userspace could get there in time and the module is built in (a bool Kconfig symbol): no userspace exists while its initcall runs. Default: off.',
  },
} as const;

type Severity = 'error' | 'warning' | 'off';
export interface ReachOptions {
  certain?: Severity;
  window?: Severity;
  builtInUserspace?: Severity;
}

/** What must happen, in words. */
const WINDOW_WORDS: Record<HookWindow, string> = {
  userspace: 'userspace creates a VM through /dev/kvm',
  'cpu-hotplug': 'a CPU comes online or goes offline',
  power: 'the system suspends, resumes, shuts down or reboots',
};

/** The windows of the calls that need one, in the order they open. */
export function windowsOf(calls: HookCallEvent[]): HookWindow[] {
  const windows: HookWindow[] = [];
  for (const call of [...calls].sort((a, b) => a.seq - b.seq)) {
    const run = howItRuns(call);
    if (run.kind === 'window' && !windows.includes(run.window)) windows.push(run.window);
  }
  return windows;
}

/**
 * A report's severity by how it can happen; undefined leaves the rule's configured severity (for
 * the kind of finding the rule is about: certain for hook-state-initialized, a window for
 * kvm-init-last). A lower one is a cap: configured as a warning, nothing is an error.
 */
export function severityOf(options: ReachOptions, reach: Reach, builtIn: BuiltIn | undefined, about: Reach['kind'] = 'certain'): Severity | undefined {
  if (reach.kind === 'certain') return options.certain;
  if (builtIn?.unreachable) return options.builtInUserspace ?? 'off';
  return options.window ?? (about === 'window' ? undefined : 'warning');
}

/** Where a window opens: the kvm_init() step its event can happen from, or module init's return. */
export function opening(call: HookCallEvent): string {
  if (call.trigger.kind === 'step') return `kvm_init() step "${call.trigger.step.id}"`;
  const from = call.trigger.event.from;
  return from === AFTER_MODULE_INIT ? 'the return of module init' : `kvm_init() step "${from}"`;
}

/** "certain: on every module load, …" or "a window: from … until …, …"; `call` is the one that makes it certain. */
export function windowText(reach: Reach, call: HookCallEvent | undefined, what = 'it runs'): string {
  if (reach.kind === 'certain') {
    if (call?.rollback) return `certain, no window needed: it runs ${describeTrigger(call)} whenever that step fails`;
    return `certain: on every module load, it runs ${call ? describeTrigger(call) : 'inside kvm_init()'}`;
  }
  const words = reach.windows.map((w) => WINDOW_WORDS[w]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}` : (words[0] ?? 'anything happens');
  return `a window: from ${reach.opens} until ${reach.until}, ${what} if ${list}`;
}

export interface BuiltIn {
  /** Only userspace could get there: nothing can while a built-in initcall runs. */
  unreachable: boolean;
  text: string;
  related: RelatedLocation;
}

/**
 * For a built-in module (bool in Kconfig), what its windows that need userspace come to: the
 * window without userspace, and a note that says why.
 */
export function builtInNote(timeline: Timeline, reach: Reach): { reach: Reach; builtIn?: BuiltIn } {
  const kconfig = timeline.module.kconfig;
  if (reach.kind !== 'window' || !kconfig || kconfig.loadable || !reach.windows.includes('userspace')) return { reach };
  const rest = reach.windows.filter((w) => w !== 'userspace');
  const unreachable = rest.length === 0;
  const why = `${kconfig.symbol} is built in (\`${kconfig.text}\`), so no userspace exists while its init runs`;
  return {
    reach: unreachable ? reach : { ...reach, windows: rest },
    builtIn: {
      unreachable,
      text: unreachable ? `only userspace could, and ${why}` : `not userspace: ${why}`,
      related: { message: `${kconfig.symbol} is \`${kconfig.text}\`: built in, never a loadable module`, location: kconfig.location },
    },
  };
}

/** The hook by its own name: the arch's function (the tree's name with --kernel), never beside the role's name. */
export function hookName(call: HookCallEvent): string {
  return call.hook?.impl ?? call.name;
}

/**
 * Where the hook comes to run, each place once: the statement that starts it (a kvm_init()
 * step, or the call that registered the callbacks), then the hook call itself with every way it
 * runs there ("at CPU hotplug, and on rollback of …").
 */
export function relatedRuns(calls: HookCallEvent[], main: HookCallEvent): RelatedLocation[] {
  const ordered = [main, ...calls.filter((c) => c !== main)];
  const starts: RelatedLocation[] = [];
  const sites = new Map<string, { call: HookCallEvent; how: string[] }>();
  for (const call of ordered) {
    const start =
      call.trigger.kind === 'step'
        ? { message: `kvm_init() step "${call.trigger.step.id}" starts it here`, location: call.trigger.step.location }
        : {
            message: `${call.trigger.event.id} registered here, from which it runs if ${WINDOW_WORDS[call.trigger.event.window]}`,
            location: call.trigger.event.location,
          };
    if (!starts.some((s) => samePlace(s.location, start.location))) starts.push(start);
    const key = placeKey(call.location);
    const site = sites.get(key) ?? { call, how: [] };
    const how = triggerLabel(call);
    if (!site.how.includes(how)) site.how.push(how);
    sites.set(key, site);
  }
  const runs = [...sites.values()]
    .filter(({ call }) => !starts.some((s) => samePlace(s.location, call.location)))
    .map(({ call, how }) => ({ message: `${calledName(call)} runs here ${how.join(', ')}`, location: call.location }));
  // The generic calls down to the hook, for the call that tells the story.
  const chain = main.chain.filter(
    (link) => !starts.some((s) => samePlace(s.location, link.location)) && !runs.some((r) => samePlace(r.location, link.location)),
  );
  return [starts[0]!, ...chain, ...starts.slice(1), ...runs];
}

/** Where a call happens, without the CPUs: one place's ways to run, each said once. */
function triggerLabel(call: HookCallEvent): string {
  if (call.trigger.kind === 'lifecycle') return `at "${call.trigger.event.id}"`;
  return `${call.rollback ? 'on rollback of' : 'in'} kvm_init() step "${call.trigger.step.id}"`;
}

/** The generic function the call site names; the role in words when the arch's function has another version's name. */
function calledName(call: HookCallEvent): string {
  const hook = call.hook;
  return hook && hook.impl !== call.name && !hook.via.includes(call.name) && !hook.requires.some((r) => r.via.includes(call.name))
    ? `the ${call.role} hook`
    : `${call.name}()`;
}

function placeKey(location: Location): string {
  return `${location.file}:${location.line}:${location.column}`;
}

function samePlace(a: Location, b: Location): boolean {
  return placeKey(a) === placeKey(b);
}
