import type { PluginManifest } from '../load/load.js';
import type { PluginSet } from '../load/plugin-set.js';
import { configureRules } from '../load/load.js';
import type { Finding } from '../model/finding.js';
import type { Profile } from '../model/profile.js';
import { buildCheck } from './check.js';
import { runRules } from './run-rules.js';

/**
 * What a plugin's own tests assert about its archs: the set's rules over `manifests` (every
 * manifest of the set by default), each built for the profile's kernel with `variant` where it
 * has one, and only the findings about those archs.
 */
export function checkManifests(set: PluginSet, profile: Profile, options: { manifests?: PluginManifest[]; variant?: string } = {}): Finding[] {
  const plugins = (options.manifests ?? set.manifests).map((manifest) => manifest.build(variantOf(manifest, options.variant), profile.kernel));
  const archs = new Set(plugins.map((plugin) => plugin.id));
  return runRules(buildCheck(profile, plugins, set.profiles), configureRules(set.rules)).filter((finding) => archs.has(finding.arch));
}

/** The variant asked for, when the manifest has it: one name is given for every plugin. */
export function variantOf(manifest: PluginManifest, variant: string | undefined): string | undefined {
  return variant !== undefined && manifest.base.variants.includes(variant) ? variant : undefined;
}
