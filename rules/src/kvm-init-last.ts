import type { FromSchema } from 'json-schema-to-ts';
import { createRule, type ExposeEvent, type HookCallEvent, type Phase, type PhaseEvent, reason, type Timeline } from '@kvm-rules/core';
import { builtInNote, callText, listPhases, opening, reachSeverities, severityOf, windowsOf, windowText, type Reach } from './describe.js';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    exceptions: {
      type: 'array',
      description: 'Archs allowed to do work after kvm_init(), each with the reason.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['arch', 'reason'],
        properties: {
          arch: { type: 'string' },
          profiles: {
            type: 'array',
            items: { type: 'string' },
            description: 'Only under these profiles. Default: every profile.',
          },
          phases: {
            type: 'array',
            items: { type: 'string' },
            description:
              'Only these phases, by id or by the function they call (vmx_setup_l1d_flush names it in a plugin and in a tree alike). Default: every phase after kvm_init().',
          },
          reason: { ...reason, description: 'Why this work must come after kvm_init().' },
        },
      },
    },
    window: reachSeverities.window,
    builtInUserspace: reachSeverities.builtInUserspace,
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];
type Exception = NonNullable<Options[0]['exceptions']>[number];

export default createRule<Options, 'workAfterKvmInit'>({
  name: 'kvm-init-last',
  meta: {
    type: 'suggestion',
    docs: {
      description:
        'No arch phase that does work (not a log line, not a check that writes nothing) comes after the kvm_init() call on the success path of module init.',
      recommended: true,
    },
    messages: {
      workAfterKvmInit: '{{init}}() does work after kvm_init(): {{phases}}; under {{profile}}, that is {{when}}',
    },
    schema: [optionsSchema],
    defaultOptions: [{ exceptions: [] }],
  },
  create(context, [options]) {
    const exceptions = options.exceptions ?? [];
    function excepted(arch: string, phase: Phase): boolean {
      return exceptions.some(
        (e: Exception) =>
          e.arch === arch &&
          (!e.profiles || e.profiles.includes(context.profile.id)) &&
          (!e.phases || e.phases.includes(phase.id) || e.phases.includes(phase.call)),
      );
    }

    /**
     * What can see the work unfinished: userspace once /dev/kvm is registered, and the hooks that
     * callbacks kvm_init() registered (CPU hotplug, suspend, reboot) run. A hook that does
     * nothing sees nothing; hooks kvm_init() ran on every CPU have already run.
     */
    function windowCalls(timeline: Timeline): HookCallEvent[] {
      return timeline.events.filter(
        (e): e is HookCallEvent => e.kind === 'HookCall' && e.duringModuleInit && e.trigger.kind === 'lifecycle' && !!e.hook && !e.hook.noop,
      );
    }

    function reachOf(timeline: Timeline, until: string): Reach | undefined {
      const done = timeline.events.find((e) => e.kind === 'ModuleInitDone')?.seq ?? Infinity;
      const expose = timeline.events.find((e): e is ExposeEvent => e.kind === 'Expose' && e.seq < done);
      const calls = windowCalls(timeline);
      const windows = windowsOf(calls);
      if (expose && !windows.includes('userspace')) windows.unshift('userspace');
      if (windows.length === 0) return undefined;
      // What opens the first window: kvm_init() exposing KVM, or the first hook call (one of the two is there).
      const first = calls[0];
      if (expose && (!first || expose.seq < first.seq)) return { kind: 'window', windows, opens: `kvm_init() step "${expose.step.id}"`, until };
      return first ? { kind: 'window', windows, opens: opening(first), until } : undefined;
    }

    return {
      'Timeline:exit'(timeline) {
        const late = timeline.events.filter(
          // A log line or a check that writes nothing (read from source) is not work.
          (e): e is PhaseEvent => e.kind === 'Phase' && e.afterKvmInit && e.phase.effect !== 'none' && !excepted(timeline.arch, e.phase),
        );
        const [first] = late;
        if (!first) return;
        const last = late.at(-1)!;
        const until = `${callText(last.phase)} in ${timeline.module.init}()`;
        const { reach, builtIn } = builtInNote(timeline, reachOf(timeline, until) ?? { kind: 'window', windows: [], opens: 'kvm_init()', until });
        const when = windowText(reach, undefined, 'it can be seen unfinished');
        context.report({
          node: first,
          messageId: 'workAfterKvmInit',
          severity: severityOf(options, reach, builtIn, 'window'),
          data: {
            init: timeline.module.init,
            phases: listPhases(late.map((e) => e.phase.id)),
            profile: context.profile.id,
            when: builtIn ? `${when}; ${builtIn.text}` : when,
          },
          related: [
            ...late.slice(1).map((e) => ({ message: `"${e.phase.id}" (${callText(e.phase)}) also runs after kvm_init()`, location: e.location })),
            ...(builtIn ? [builtIn.related] : []),
          ],
        });
      },
    };
  },
});
