import type { FromSchema } from 'json-schema-to-ts';
import { createRule, GENERIC_ARCH } from '@kvm-rules/core';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    problems: {
      type: 'string',
      enum: ['errors', 'warnings'],
      description: 'Which problems to report: what stops an arch from being analyzed (errors), or what leaves part of it unread (warnings).',
    },
  },
} as const;

type Options = [FromSchema<typeof optionsSchema>];

/** Problems in generic code (virt/kvm) concern every arch, so they are reported once, for the generic side. */
const GENERIC_DIR = 'virt/kvm/';

export default createRule<Options, 'cannotAnalyze' | 'partlyRead'>({
  name: 'source-analysis',
  meta: {
    type: 'problem',
    docs: {
      description:
        'With --kernel, every selected arch could be read from the tree: a file that cannot be read or parsed where it matters is reported, never passed over.',
      recommended: true,
    },
    messages: {
      cannotAnalyze: '{{message}}',
      partlyRead: '{{message}}',
    },
    schema: [optionsSchema],
    defaultOptions: [{ problems: 'errors' }],
  },
  create(context, [{ problems }]) {
    const wanted = problems === 'warnings' ? 'warning' : 'error';
    return {
      Check(check) {
        for (const plugin of check.plugins) {
          for (const problem of plugin.source?.problems ?? []) {
            if (problem.severity !== wanted) continue;
            context.report({
              node: check,
              arch: problem.location.file.startsWith(GENERIC_DIR) ? GENERIC_ARCH : plugin.id,
              location: problem.location,
              messageId: wanted === 'error' ? 'cannotAnalyze' : 'partlyRead',
              data: { message: problem.message },
            });
          }
        }
      },
    };
  },
});
