import type { FromSchema } from 'json-schema-to-ts';
import { identifier } from './common.js';

const entry = {
  type: 'object',
  additionalProperties: false,
  required: ['fingerprint', 'ruleId', 'arch', 'message'],
  properties: {
    fingerprint: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'fingerprintOf() the finding: rule, arch, message without line numbers.' },
    ruleId: identifier,
    arch: identifier,
    message: { type: 'string', description: 'The message when the baseline was written, for a person reading the file.' },
  },
} as const;

export const baselineSchema = {
  $id: 'urn:kvm-rules:schema:baseline',
  title: 'kvm-rules baseline',
  description: 'Known findings, suppressed by --baseline until they go away. Written by --write-baseline.',
  type: 'object',
  additionalProperties: false,
  required: ['kvmRulesBaseline', 'findings'],
  properties: {
    kvmRulesBaseline: { const: 1, description: 'The format version.' },
    findings: { type: 'array', items: entry },
  },
} as const;

export type BaselineFile = FromSchema<typeof baselineSchema>;
