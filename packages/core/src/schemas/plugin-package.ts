import type { FromSchema } from 'json-schema-to-ts';

/** The plugin API this kvm-rules implements; a plugin package names the one it targets. */
export const PLUGIN_API_VERSION = 1;

const packagePath = {
  type: 'string',
  pattern: '^\\./',
  description: 'A path inside the package, starting with "./".',
} as const;

/**
 * The "kvm-rules" key of a plugin package's package.json: which plugin API it is written for
 * and what it brings. The same shape serves the built-in packages (the arch plugins, the
 * default rule set) and a maintainer's own.
 */
export const pluginPackageSchema = {
  $id: 'urn:kvm-rules:schema:plugin-package',
  title: 'kvm-rules plugin package',
  description: 'The "kvm-rules" key of a plugin package.json: the plugin API version it targets and what it brings.',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion'],
  properties: {
    apiVersion: { type: 'integer', minimum: 1, description: `The kvm-rules plugin API the package is written for (this kvm-rules: ${PLUGIN_API_VERSION}).` },
    manifests: { type: 'array', minItems: 1, items: packagePath, description: 'Arch plugin manifests (YAML): module inits, phases, hook implementations.' },
    rules: { ...packagePath, description: 'A folder of declarative rule files (YAML), each an instance of a rule kind.' },
    profiles: { ...packagePath, description: 'A folder of profiles (YAML): generic orderings of kvm_init().' },
    kinds: { ...packagePath, description: 'An ES module whose export `kinds` is an array of rule kinds made with createRule().' },
  },
} as const;

export type PluginPackageFile = FromSchema<typeof pluginPackageSchema>;
