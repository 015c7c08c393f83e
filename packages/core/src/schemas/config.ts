import type { FromSchema } from 'json-schema-to-ts';
import { identifier, reason } from './common.js';
import { severity } from './rule-file.js';

const path = { type: 'string', minLength: 1 } as const;

const ruleObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    severity,
    options: {
      type: 'object',
      description: "Options of the rule kind, checked against the kind's schema; they replace the rule file's options.",
    },
  },
} as const;

// if/then/else rather than anyOf: a mistake is reported against the one form it was meant as
// ("must be one of …" for a string, "unknown key …" for an object), without anyOf's noise.
const ruleSetting = {
  description: "A severity, or an object with a severity and the options of the rule's kind.",
  type: ['string', 'object'],
  if: { type: 'string' },
  then: severity,
  else: ruleObject,
} as const;

const exception = {
  type: 'object',
  additionalProperties: false,
  required: ['arch', 'rule', 'reason'],
  properties: {
    arch: { ...identifier, description: 'The arch (plugin id) the rule is turned off for; "generic" for findings about the profile.' },
    rule: { ...identifier, description: 'The rule id.' },
    reason,
  },
} as const;

const ignore = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: {
    rule: { ...identifier, description: 'Only findings of this rule.' },
    arch: { ...identifier, description: 'Only findings for this arch.' },
    file: { ...path, maxLength: 4096, description: 'Only findings whose location file (as the report shows it) matches this glob.' },
    reason,
  },
} as const;

export const configSchema = {
  $id: 'urn:kvm-rules:schema:config',
  title: 'kvm-rules configuration',
  description:
    'What `kvm-rules check` reads from kvm-rules.config.{mjs,js,json,yaml}: the command-line options a project always ' +
    'gives, rule severities and options, and the findings it has decided to accept, each with its reason.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    plugins: {
      type: 'array',
      items: path,
      description:
        "Plugin packages, as --plugin: npm names (looked up from the configuration file's folder) or paths relative to it (package folders, or single manifest files).",
    },
    rulesDirs: { type: 'array', items: path, description: 'Folders of extra rule files, as --rules-dir, relative to the configuration file.' },
    profile: { ...path, description: 'The generic ordering, as --profile: a profile id, or a profile file relative to the configuration file.' },
    kernel: { ...path, description: 'A Linux tree to read, as --kernel, relative to the configuration file.' },
    archs: { type: 'array', items: identifier, description: 'Only these archs, as --arch.' },
    rules: {
      type: 'object',
      description: 'Rule id to severity ("error", "warning", "off") or { severity, options }.',
      propertyNames: identifier,
      additionalProperties: ruleSetting,
    },
    exceptions: {
      type: 'array',
      items: exception,
      description: 'A rule turned off for one arch, with the reason.',
    },
    ignores: {
      type: 'array',
      items: ignore,
      description: 'Findings dropped from the report: those matching every given key of an entry (rule, arch, file glob).',
    },
    docsBaseUrl: {
      type: 'string',
      pattern: '^https?://[^/\\s]+',
      maxLength: 2048,
      description:
        "The http(s) URL of the folder holding the default rule set's pages (<kind>.md): the sarif and mail reports link there instead of to kvm-rules' repository.",
    },
  },
} as const;

export type ConfigFile = FromSchema<typeof configSchema>;
/** One entry of `rules` (FromSchema does not narrow if/then/else: the two forms, as the schema means them). */
export type RuleSetting = FromSchema<typeof severity> | FromSchema<typeof ruleObject>;
