import type { FromSchema } from 'json-schema-to-ts';
import { createRule, type HookCallEvent, type PhaseEvent, type RelatedLocation, type StateUse } from '@kvm-rules/core';
import { callText } from './describe.js';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    reads: {
      type: 'string',
      enum: ['deciding', 'other'],
      description: 'Which reads to report: those in a condition, whose value decides what init does (deciding), or the others.',
    },
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];

/** A phase before kvm_init() reading state that a hook inside it settles, hook by hook. */
interface EarlyRead {
  phase: PhaseEvent;
  hook: HookCallEvent;
  /** The function implementing the hook. */
  impl: string;
  reads: { read: StateUse; write: StateUse }[];
}

/** The same state, and the same member or the whole of it. */
function overlaps(read: StateUse, write: StateUse): boolean {
  return read.state === write.state && (!read.field || !write.field || read.field === write.field);
}

function named(use: StateUse): string {
  return use.field ? `${use.state}.${use.field}` : use.state;
}

export default createRule<Options, 'readBeforeSettled'>({
  name: 'read-before-settled',
  meta: {
    type: 'problem',
    docs: {
      description:
        'Module init reads arch state before kvm_init() only when no setup hook inside kvm_init() (arch-init, hardware-setup) sets or changes it afterwards.',
      recommended: true,
    },
    messages: {
      readBeforeSettled:
        '{{init}}(): {{reader}} reads {{states}}{{how}} before kvm_init() step "{{step}}" runs the {{role}} hook {{impl}}(), which settles {{them}}; the value read is not settled yet',
    },
    schema: [optionsSchema],
    defaultOptions: [{ reads: 'deciding' }],
  },
  create(context, [{ reads: which }]) {
    let phases: PhaseEvent[] = [];
    let found = new Map<string, EarlyRead>();

    const wanted = (read: StateUse) => (which === 'deciding') === (read.decides ?? false);

    return {
      Timeline() {
        phases = [];
        found = new Map();
      },
      Phase(event) {
        if (!event.afterKvmInit && event.phase.reads?.some(wanted)) phases.push(event);
      },
      HookCall(call) {
        const implementation = call.hook;
        const writes = implementation?.writes ?? [];
        // A setup hook that kvm_init() runs once, while module init waits for it.
        if (!implementation || !call.duringModuleInit || call.rollback || call.on !== 'one-cpu' || call.trigger.kind !== 'step' || writes.length === 0) return;
        for (const phase of phases) {
          for (const read of (phase.phase.reads ?? []).filter(wanted)) {
            const write = writes.find((w) => overlaps(read, w));
            if (!write) continue;
            const key = `${phase.seq}\0${call.role}`;
            const early = found.get(key) ?? { phase, hook: call, impl: implementation.impl, reads: [] };
            if (!early.reads.some((r) => named(r.read) === named(read))) early.reads.push({ read, write });
            found.set(key, early);
          }
        }
      },
      'Timeline:exit'(timeline) {
        for (const { phase, hook, impl, reads } of found.values()) {
          const related: RelatedLocation[] = [];
          for (const { read, write } of reads) {
            const via = read.via.length > 0 ? ` through ${read.via.map((f) => `${f}()`).join(' → ')}` : '';
            related.push({ message: `${named(read)} is read here${via}`, location: read.location });
            related.push({ message: `${impl}() sets ${named(write)} here`, location: write.location });
          }
          const many = reads.length > 1;
          context.report({
            node: phase,
            messageId: 'readBeforeSettled',
            data: {
              init: timeline.module.init,
              reader: callText(phase.phase),
              states: reads.map((r) => named(r.read)).join(', '),
              how: which === 'deciding' ? ` to decide what to do` : '',
              step: hook.trigger.kind === 'step' ? hook.trigger.step.id : '',
              role: hook.role,
              impl,
              them: many ? 'them' : 'it',
            },
            related,
          });
        }
      },
    };
  },
});
