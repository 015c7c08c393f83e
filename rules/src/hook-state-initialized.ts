import type { FromSchema } from 'json-schema-to-ts';
import { createRule, describeTrigger, type HookCallEvent, type RelatedLocation, type Requirement, type StateInitEvent, type Timeline } from '@kvm-rules/core';
import { describeInitializer } from './describe.js';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    roles: {
      type: 'array',
      items: { type: 'string' },
      description: 'Hook roles to check. Default: every role.',
    },
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];

/** One hook reading one state too early, with every call that runs before the state is set. */
interface Violation {
  requirement: Requirement;
  calls: HookCallEvent[];
}

/** A rollback call runs only when a step fails; the success-path call tells the story better. */
function mainCall(calls: HookCallEvent[]): HookCallEvent {
  return calls.find((call) => !call.rollback) ?? calls[0]!;
}

/** A hook of this plugin that would initialize the state, but whose role the profile never calls. */
function uncalledInitializer(timeline: Timeline, state: string): string | undefined {
  const called = new Set(timeline.events.flatMap((e) => (e.kind === 'HookCall' ? [e.role] : [])));
  const hook = [...timeline.plugin.hooks.values()].find((h) => h.initializes.includes(state) && !called.has(h.role));
  return hook ? `${hook.role} hook ${hook.impl}()` : undefined;
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
      initializedLater:
        '{{role}} hook {{impl}}() ({{name}}) reads {{state}}{{via}}, but {{state}} is initialized {{initializer}}, after the hook runs {{firstRun}}',
      initializerNotCalled:
        '{{role}} hook {{impl}}() ({{name}}) reads {{state}}{{via}}, but {{state}} is initialized by the {{initializer}}, which {{profile}} never calls; the hook runs {{firstRun}}',
      neverInitialized:
        '{{role}} hook {{impl}}() ({{name}}) reads {{state}}{{via}}, but nothing initializes {{state}} under this profile; the hook runs {{firstRun}}',
    },
    schema: [optionsSchema],
  },
  defaultOptions: [{}],
  create(context, [{ roles }]) {
    const initialized = new Set<string>();
    let violations = new Map<string, Violation>();

    function checkRequirements(call: HookCallEvent): void {
      const hook = call.hook;
      if (!hook || hook.noop || (roles && !roles.includes(call.role))) return;
      for (const requirement of hook.requires.filter((r) => !initialized.has(r.state))) {
        const key = `${call.role}\0${requirement.state}`;
        const violation = violations.get(key) ?? { requirement, calls: [] };
        violation.calls.push(call);
        violations.set(key, violation);
      }
    }

    function reportViolation(timeline: Timeline, { requirement, calls }: Violation): void {
      const call = mainCall(calls);
      const init = timeline.events.find(
        (e): e is StateInitEvent => e.kind === 'StateInit' && e.state === requirement.state && e.seq > call.seq,
      );
      const related: RelatedLocation[] = calls.map((c) => ({
        message: `${c.name}() runs here ${describeTrigger(c)}`,
        location: c.location,
      }));
      related.push(...(requirement.chain ?? []));
      if (init) related.push({ message: `${requirement.state} is initialized here`, location: init.location });
      const uncalled = init ? undefined : uncalledInitializer(timeline, requirement.state);
      context.report({
        node: call,
        location: requirement.location,
        messageId: init ? 'initializedLater' : uncalled ? 'initializerNotCalled' : 'neverInitialized',
        data: {
          role: call.role,
          impl: call.hook!.impl,
          name: call.name,
          state: requirement.state,
          via: requirement.via.length > 0 ? ` through ${requirement.via.map((f) => `${f}()`).join(' → ')}` : '',
          firstRun: describeTrigger(call),
          initializer: init ? describeInitializer(init.by) : (uncalled ?? ''),
          profile: context.profile.id,
        },
        related,
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
