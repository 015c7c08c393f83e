import type { FromSchema } from 'json-schema-to-ts';
import { cIdentifier, cpuScope, hookRole, hookWindow, identifier, kernelVersion, summary } from './common.js';

const hookDeclaration = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { ...cIdentifier, description: 'The hook function name in this kernel version.' },
    weak: { type: 'boolean', description: 'The generic code has a __weak default, so an arch may leave it out.' },
    summary,
  },
} as const;

const hookCall = {
  type: 'object',
  additionalProperties: false,
  required: ['hook'],
  properties: {
    hook: hookRole,
    on: cpuScope,
  },
} as const;

const stateDeclaration = {
  type: 'object',
  additionalProperties: false,
  required: ['summary'],
  properties: {
    summary,
    kind: { type: 'string', enum: ['per-cpu', 'global'] },
    static: { type: 'boolean', description: 'Initialized at compile time (LIST_HEAD, DEFINE_PER_CPU with an initializer, ...).' },
  },
} as const;

const kvmInitStep = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'summary'],
  properties: {
    id: identifier,
    summary,
    calls: { type: 'array', items: hookCall, description: 'Hooks this step calls, in order, on its success path.' },
    rollback: {
      type: 'array',
      items: hookCall,
      description: 'Hooks this step calls when it fails partway (for example disabling the CPUs already enabled).',
    },
    initializes: { type: 'array', items: cIdentifier, description: 'Generic state this step initializes.' },
    exposes: {
      type: 'string',
      enum: ['dev-kvm'],
      description: 'This step makes KVM reachable from userspace.',
    },
  },
} as const;

const lifecycleEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'summary', 'from', 'window', 'calls'],
  properties: {
    id: identifier,
    summary,
    window: hookWindow,
    from: {
      type: 'string',
      description: 'The earliest point this event can happen: the id of a kvm_init() step, or "module-init" (after the arch module init returns).',
    },
    calls: { type: 'array', items: hookCall, minItems: 1 },
  },
} as const;

export const profileSchema = {
  $id: 'urn:kvm-rules:schema:profile',
  title: 'kvm-rules profile',
  description:
    'The generic side of one kernel version (or of a proposed change): the steps of kvm_init(), the hooks they call and the events after module init.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'summary', 'kernel', 'hooks', 'kvmInit', 'lifecycle'],
  properties: {
    $schema: { type: 'string' },
    id: identifier,
    summary,
    kernel: kernelVersion,
    proposal: { type: 'boolean', description: 'A proposed ordering (a patch under review), not a released kernel.' },
    source: { type: 'string', description: 'Where the ordering comes from (a file, a commit, a mail).' },
    hooks: {
      type: 'object',
      description: 'The hooks of this version, keyed by role.',
      propertyNames: hookRole,
      additionalProperties: hookDeclaration,
    },
    state: {
      type: 'object',
      description: 'Generic state (in virt/kvm) that arch hooks may read.',
      propertyNames: cIdentifier,
      additionalProperties: stateDeclaration,
    },
    kvmInit: {
      type: 'array',
      minItems: 1,
      description: 'The steps of kvm_init(), in order.',
      items: kvmInitStep,
    },
    lifecycle: {
      type: 'array',
      description: 'Events after which hooks can run, each from the earliest point it can happen.',
      items: lifecycleEvent,
    },
  },
} as const;

export type ProfileFile = FromSchema<typeof profileSchema>;
export { stateDeclaration };
