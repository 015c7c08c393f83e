// Building blocks shared by the manifest, profile and rule-file schemas.

/** Far above any real name; checked before the pattern, whose regex would exhaust the stack on megabytes. */
const NAME_LENGTH = 256;

export const identifier = {
  type: 'string',
  maxLength: NAME_LENGTH,
  pattern: '^[a-z0-9][a-z0-9._-]*$',
  description: 'A lower-case id: letters, digits, dot, dash, underscore.',
} as const;

export const cIdentifier = {
  type: 'string',
  maxLength: NAME_LENGTH,
  pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
  description: 'A C identifier (function, variable or macro name).',
} as const;

export const kernelVersion = {
  type: 'string',
  pattern: '^[0-9]+\\.[0-9]+(\\.[0-9]+)?$',
  description: 'A kernel version such as "5.19" or "6.12".',
} as const;

export const kernelPath = {
  type: 'string',
  pattern: '^[A-Za-z0-9_./-]+$',
  description: 'A path relative to the root of a kernel tree.',
} as const;

export const summary = {
  type: 'string',
  minLength: 3,
  description: 'One sentence a maintainer can read in a finding.',
} as const;

export const hookRole = {
  ...identifier,
  description:
    'The role of a generic-to-arch hook (hardware-enable, hardware-disable, compat-check, ...). ' +
    'Profiles map roles to the function name of their kernel version.',
} as const;

export const cpuScope = {
  type: 'string',
  enum: ['one-cpu', 'each-online-cpu'],
  description: 'Whether the generic code calls the hook once, or on every online CPU.',
} as const;

/**
 * What must happen for a lifecycle event to run its hooks: userspace using /dev/kvm (creating a
 * VM), a CPU coming online or going offline, or suspend, resume, shutdown or reboot. Built-in
 * KVM has no userspace during its initcall; the other two can still happen.
 */
export const hookWindow = {
  type: 'string',
  enum: ['userspace', 'cpu-hotplug', 'power'],
  description:
    'What must happen for the event to run its hooks: userspace using /dev/kvm, a CPU coming online or going offline, or suspend/resume/shutdown/reboot.',
} as const;

/** Why an exception or an ignore stands: written down so that a reviewer can judge it. */
export const reason = {
  type: 'string',
  minLength: 10,
  description: 'Why: at least 10 characters, for whoever reviews the configuration.',
} as const;
