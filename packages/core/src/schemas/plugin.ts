import type { FromSchema } from 'json-schema-to-ts';
import { cIdentifier, hookRole, identifier, kernelPath, kernelVersion, summary } from './common.js';
import { stateDeclaration } from './profile.js';

const phase = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'call'],
  properties: {
    id: identifier,
    summary,
    call: { ...cIdentifier, description: 'The call that anchors this phase in the module init function.' },
    initializes: { type: 'array', items: cIdentifier, description: 'State this phase initializes.' },
    registers: {
      type: 'array',
      items: cIdentifier,
      description: 'What this phase registers or allocates, which a later failure must undo.',
    },
    undo: { ...cIdentifier, description: 'The call that undoes this phase on a failure path.' },
    canFail: { type: 'boolean', description: 'The phase returns an error that aborts module init.' },
    unwinds: {
      type: 'array',
      items: identifier,
      description: "Earlier phases whose undo runs on this phase's failure path.",
    },
  },
} as const;

const moduleInit = {
  type: 'object',
  additionalProperties: false,
  required: ['init', 'file', 'phases'],
  properties: {
    init: { ...cIdentifier, description: 'The module init function, as named in module_init(...).' },
    file: kernelPath,
    summary,
    phases: { type: 'array', minItems: 1, items: phase, description: 'The phases in source order, success path only.' },
  },
} as const;

const requirement = {
  anyOf: [
    cIdentifier,
    {
      type: 'object',
      additionalProperties: false,
      required: ['state'],
      properties: {
        state: cIdentifier,
        via: {
          type: 'array',
          items: cIdentifier,
          description: 'The call chain from the hook implementation to the code that reads the state.',
        },
      },
    },
  ],
} as const;

const hookImplementation = {
  type: 'object',
  additionalProperties: false,
  required: ['impl'],
  properties: {
    impl: { ...cIdentifier, description: 'The function that implements the hook for this arch.' },
    via: {
      type: 'array',
      items: cIdentifier,
      description: 'Generic or arch functions between the hook name and impl (ops tables, static calls).',
    },
    file: kernelPath,
    summary,
    noop: { type: 'boolean', description: 'The implementation does nothing (returns 0).' },
    requires: { type: 'array', items: requirement, description: 'State the hook reads, which must be initialized first.' },
    initializes: { type: 'array', items: cIdentifier, description: 'State the hook initializes when it runs.' },
  },
} as const;

const hooks = {
  type: 'object',
  description: 'Hook implementations keyed by role.',
  propertyNames: hookRole,
  additionalProperties: hookImplementation,
} as const;

const stateCatalog = {
  type: 'object',
  description: 'Named state this arch initializes, registers or reads.',
  propertyNames: cIdentifier,
  additionalProperties: stateDeclaration,
} as const;

const undoPair = {
  type: 'object',
  additionalProperties: false,
  required: ['setup', 'undo'],
  properties: {
    setup: { type: 'string', pattern: '^[A-Za-z_*][A-Za-z0-9_*]*$', description: 'A function name; `*` stands for any text, the same in `undo`.' },
    undo: { type: 'string', pattern: '^[A-Za-z_*][A-Za-z0-9_*]*$', description: 'The function that undoes `setup`.' },
    allocates: { type: 'boolean', description: '`setup` allocates memory, which must be freed.' },
  },
} as const;

const overlay = {
  modules: { type: 'array', minItems: 1, items: moduleInit, description: 'Replaces the module init functions.' },
  hooks: { ...hooks, description: 'Hook implementations to add or replace, by role.' },
  state: { ...stateCatalog, description: 'State to add or replace.' },
} as const;

const variant = {
  type: 'object',
  additionalProperties: false,
  required: ['summary'],
  properties: {
    summary,
    source: { type: 'string', description: 'The patch this variant describes.' },
    kernel: {
      ...kernelVersion,
      description: "The kernel version the patch applies to: its declarations are laid over that version's, whatever the profile.",
    },
    ...overlay,
  },
} as const;

const version = {
  type: 'object',
  additionalProperties: false,
  properties: {
    summary,
    ...overlay,
  },
} as const;

export const pluginSchema = {
  $id: 'urn:kvm-rules:schema:plugin',
  title: 'kvm-rules arch plugin manifest',
  description: 'What one KVM arch module does at init and what its hooks need.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'summary', 'kernel', 'modules', 'hooks', 'state'],
  properties: {
    $schema: { type: 'string' },
    id: identifier,
    summary,
    kernel: { ...kernelVersion, description: 'The kernel version these declarations describe.' },
    modules: { type: 'array', minItems: 1, items: moduleInit },
    hooks,
    state: stateCatalog,
    undoPairs: {
      type: 'array',
      items: undoPair,
      description:
        'With --kernel: which call undoes which in this arch, for names the shared table does not pair (register_*/unregister_*, *_init/*_exit, …). ' +
        'Evidence of the last resort: what module_exit() and the failure paths undo comes first.',
    },
    versions: {
      type: 'object',
      description:
        'Declarations for older kernels, laid over the top-level ones (which describe `kernel`). A profile or kernel ' +
        'tree of version V uses the newest declarations not newer than V.',
      propertyNames: kernelVersion,
      additionalProperties: version,
    },
    variants: {
      type: 'object',
      description: 'Alternative declarations, for example the arch as changed by a patch under review. Selected with --variant.',
      propertyNames: identifier,
      additionalProperties: variant,
    },
  },
} as const;

export type PluginFile = FromSchema<typeof pluginSchema>;
