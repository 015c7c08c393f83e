// The file --cache keeps: reports by command line, each with what its run read. Its validator is
// compiled at build time with the other file schemas, so that a cache hit loads no ajv.
import type { FromSchema } from 'json-schema-to-ts';

const cacheEntrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['inputs', 'output', 'exitCode'],
  properties: {
    inputs: { type: 'object', additionalProperties: { type: 'string' }, description: 'Each path the run read, with its hash then.' },
    output: { type: 'string', description: "The report, as printed (or written to the command line's --output-file)." },
    exitCode: { type: 'integer', minimum: 0, maximum: 2, description: 'The exit code of the run.' },
    notices: { type: 'array', items: { type: 'string' }, description: 'What the run said on stderr besides the report, such as where it wrote it.' },
  },
} as const;

/** The cache file: reports by command, with what each run read. No entry says where to write. */
export const cacheSchema = {
  $id: 'urn:kvm-rules:schema:cache',
  title: 'kvm-rules cache',
  description: 'The reports --cache keeps, each under a hash of its command line, with a fingerprint of what the run read.',
  type: 'object',
  additionalProperties: false,
  required: ['kvmRulesCache', 'entries'],
  properties: {
    kvmRulesCache: { const: 1, description: 'The format version.' },
    entries: { type: 'object', propertyNames: { pattern: '^[0-9a-f]{64}$' }, additionalProperties: cacheEntrySchema },
  },
} as const;

export type CacheFile = FromSchema<typeof cacheSchema>;
