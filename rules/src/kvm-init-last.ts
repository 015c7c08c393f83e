import type { FromSchema } from 'json-schema-to-ts';
import { createRule, type HookCallEvent, type Phase, type PhaseEvent, reason, type Timeline } from '@kvm-rules/core';
import { callText, listPhases } from './describe.js';

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
            description: 'Only these phases, by id or by the function they call (vmx_setup_l1d_flush names it in a plugin and in a tree alike). Default: every phase after kvm_init().',
          },
          reason: { ...reason, description: 'Why this work must come after kvm_init().' },
        },
      },
    },
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];
type Exception = NonNullable<Options[0]['exceptions']>[number];

export default createRule<Options, 'workAfterKvmInit'>({
  name: 'kvm-init-last',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'No arch phase that does work (not a log line, not a check that writes nothing) comes after the kvm_init() call on the success path of module init.',
      recommended: true,
    },
    messages: {
      workAfterKvmInit:
        '{{init}}() does work after kvm_init(): {{phases}}; under {{profile}}, kvm_init() has by then {{exposure}}',
    },
    schema: [optionsSchema],
  },
  defaultOptions: [{ exceptions: [] }],
  create(context, [{ exceptions = [] }]) {
    function excepted(arch: string, phase: Phase): boolean {
      return exceptions.some((e: Exception) =>
        e.arch === arch &&
        (!e.profiles || e.profiles.includes(context.profile.id)) &&
        (!e.phases || e.phases.includes(phase.id) || e.phases.includes(phase.call)),
      );
    }

    /**
     * What kvm_init() lets loose before the arch work that follows it: /dev/kvm, the per-CPU
     * hooks its steps run, and those that callbacks it registered (hotplug, ioctls) can run.
     */
    function exposure(timeline: Timeline): string {
      const inside = timeline.events.filter(
        (e): e is HookCallEvent =>
          e.kind === 'HookCall' && e.duringModuleInit && e.on === 'each-online-cpu' && !!e.hook && !e.hook.noop,
      );
      const names = (calls: HookCallEvent[]) => [...new Set(calls.map((call) => call.name + '()'))].join(', ');
      const run = inside.filter((call) => call.trigger.kind === 'step' && !call.rollback);
      const possible = inside.filter((call) => call.trigger.kind === 'lifecycle' && !run.some((r) => r.role === call.role));
      const exposes = timeline.events.some((e) => e.kind === 'Expose');
      const parts = [
        exposes ? 'exposed /dev/kvm' : '',
        run.length > 0 ? `run ${names(run)} on every online CPU` : '',
        possible.length > 0 ? `let ${names(possible)} run on every online CPU` : '',
      ];
      return parts.filter(Boolean).join(' and ') || 'returned';
    }

    return {
      'Timeline:exit'(timeline) {
        const late = timeline.events.filter(
          // A log line or a check that writes nothing (read from source) is not work.
          (e): e is PhaseEvent => e.kind === 'Phase' && e.afterKvmInit && e.phase.effect !== 'none' && !excepted(timeline.arch, e.phase),
        );
        const [first] = late;
        if (!first) return;
        context.report({
          node: first,
          messageId: 'workAfterKvmInit',
          data: {
            init: timeline.module.init,
            phases: listPhases(late.map((e) => `${e.phase.id}`)),
            profile: context.profile.id,
            exposure: exposure(timeline),
          },
          related: late.slice(1).map((e) => ({ message: `"${e.phase.id}" (${callText(e.phase)}) also runs after kvm_init()`, location: e.location })),
        });
      },
    };
  },
});
