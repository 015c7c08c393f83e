import type { FromSchema } from 'json-schema-to-ts';
import { identifier, summary } from './common.js';

export const severity = { type: 'string', enum: ['error', 'warning', 'off'] } as const;

export const ruleFileSchema = {
  $id: 'urn:kvm-rules:schema:rule-file',
  title: 'kvm-rules declarative rule',
  description: 'A named, documented instance of a rule kind with its options.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'severity', 'summary'],
  properties: {
    $schema: { type: 'string' },
    id: identifier,
    kind: { ...identifier, description: 'The rule kind (a coded rule module) this rule configures.' },
    severity,
    summary,
    options: { type: 'object', description: "Options of the rule kind, checked against the kind's schema." },
  },
} as const;

export type RuleFile = FromSchema<typeof ruleFileSchema>;
export type Severity = FromSchema<typeof severity>;
