import type { FromSchema } from 'json-schema-to-ts';
import { createRule, howItRuns, type HookCallEvent, type RelatedLocation, type Requirement, type StateInitEvent, type Timeline } from '@kvm-rules/core';
import {
  builtInNote,
  describeInitializer,
  untilText,
  hookName,
  opening,
  reachSeverities,
  relatedRuns,
  severityOf,
  windowsOf,
  windowText,
  type Reach,
} from './describe.js';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    roles: {
      type: 'array',
      items: { type: 'string' },
      description: 'Hook roles to check. Default: every role.',
    },
    ...reachSeverities,
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];

/** One hook reading one state too early, with every call that runs before the state is set. */
interface Violation {
  requirement: Requirement;
  calls: HookCallEvent[];
}

/** The call that tells the story: one on every module load before one in a window, a success path before a rollback. */
function mainCall(calls: HookCallEvent[]): HookCallEvent {
  const rank = (call: HookCallEvent) => (howItRuns(call).kind === 'certain' ? 0 : 2) + (call.rollback ? 1 : 0);
  return [...calls].sort((a, b) => rank(a) - rank(b) || a.seq - b.seq)[0]!;
}

/** A hook of this plugin that would initialize the state, but whose role the profile never calls. */
function uncalledInitializer(timeline: Timeline, state: string): string | undefined {
  const called = new Set(timeline.events.flatMap((e) => (e.kind === 'HookCall' ? [e.role] : [])));
  const hook = [...timeline.plugin.hooks.values()].find((h) => h.initializes.includes(state) && !called.has(h.role));
  return hook ? `${hook.role} hook ${hook.impl}()` : undefined;
}

/** How the hook gets to run before the state is set: on every module load, or in which windows. */
function reachOf(calls: HookCallEvent[], until: string): Reach {
  if (calls.some((call) => howItRuns(call).kind === 'certain')) return { kind: 'certain' };
  const first = [...calls].sort((a, b) => a.seq - b.seq)[0]!;
  return { kind: 'window', windows: windowsOf(calls), opens: opening(first), until };
}

export default createRule<Options, 'initializedLater' | 'neverInitialized' | 'initializerNotCalled'>({
  name: 'hook-state-initialized',
  meta: {
    type: 'problem',
    docs: {
      description: 'Every piece of state an arch hook reads is initialized before the first point where the generic code can call that hook.',
      recommended: true,
    },
    messages: {
      initializedLater: '{{role}} hook {{hook}}() reads {{state}}{{via}}, but {{state}} is initialized {{initializer}}; {{when}}',
      initializerNotCalled:
        '{{role}} hook {{hook}}() reads {{state}}{{via}}, but {{state}} is initialized by the {{initializer}}, which {{profile}} never calls; {{when}}',
      neverInitialized: '{{role}} hook {{hook}}() reads {{state}}{{via}}, but nothing initializes {{state}} under this profile; {{when}}',
    },
    schema: [optionsSchema],
    defaultOptions: [{}],
  },
  create(context, [options]) {
    const initialized = new Set<string>();
    let violations = new Map<string, Violation>();

    function checkRequirements(call: HookCallEvent): void {
      const hook = call.hook;
      if (!hook || hook.noop || (options.roles && !options.roles.includes(call.role))) return;
      for (const requirement of hook.requires.filter((r) => !initialized.has(r.state))) {
        const key = `${call.role}\0${requirement.state}`;
        const violation = violations.get(key) ?? { requirement, calls: [] };
        violation.calls.push(call);
        violations.set(key, violation);
      }
    }

    function reportViolation(timeline: Timeline, { requirement, calls }: Violation): void {
      const call = mainCall(calls);
      // The reading hook's own writes, after its read, settle nothing for it: the initializer is someone else.
      const init = timeline.events.find(
        (e): e is StateInitEvent =>
          e.kind === 'StateInit' && e.state === requirement.state && e.seq > call.seq && !(e.by.kind === 'hook' && e.by.call.role === call.role),
      );
      const initializer = init ? describeInitializer(init.by) : undefined;
      const { reach, builtIn } = builtInNote(timeline, reachOf(calls, init ? untilText(init.by) : 'anything initializes it'));
      // A certain finding needs no window to happen: only the calls that make it certain are its story.
      const telling = reach.kind === 'certain' ? calls.filter((c) => howItRuns(c).kind === 'certain') : calls;
      const related: RelatedLocation[] = [...relatedRuns(telling, call), ...(requirement.chain ?? [])];
      if (init) related.push({ message: `${requirement.state} is initialized here`, location: init.location });
      const uncalled = init ? undefined : uncalledInitializer(timeline, requirement.state);
      context.report({
        node: call,
        location: requirement.location,
        messageId: init ? 'initializedLater' : uncalled ? 'initializerNotCalled' : 'neverInitialized',
        severity: severityOf(options, reach, builtIn),
        data: {
          role: call.role,
          hook: hookName(call),
          state: requirement.state,
          via: requirement.via.length > 0 ? ` through ${requirement.via.map((f) => `${f}()`).join(' → ')}` : '',
          initializer: initializer ?? uncalled ?? '',
          when: builtIn ? `${windowText(reach, call)}; ${builtIn.text}` : windowText(reach, call),
          profile: context.profile.id,
        },
        related: builtIn ? [...related, builtIn.related] : related,
      });
    }

    return {
      Timeline() {
        initialized.clear();
        violations = new Map();
      },
      StateInit(event) {
        initialized.add(event.state);
      },
      HookCall: checkRequirements,
      'Timeline:exit'(timeline) {
        for (const violation of violations.values()) reportViolation(timeline, violation);
      },
    };
  },
});
