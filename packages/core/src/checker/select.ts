// Which archs, variants and profile a check runs with: the selection the command line's --arch,
// --variant and --profile make, and what a script passes to the Checker.
import { closestName } from '../load/validate.js';
import { InputError } from '../load/input-error.js';
import type { PluginManifest } from '../load/load.js';
import type { Plugin } from '../model/plugin.js';
import type { Profile } from '../model/profile.js';

/**
 * What follows `unknown <what> "<name>"` in a bad-input message: the likely name when `name`
 * looks like a misspelling of one of `known`, else every known name, in the order given.
 */
export function unknownNameHint(name: string, known: readonly string[], what: string): string {
  const suggestion = closestName(name, [...known]);
  return suggestion ? ` (did you mean "${suggestion}"?)` : ` (${what}: ${known.join(', ')})`;
}

/** The manifests of the archs asked for (all when none is); an unknown arch is bad input. */
export function selectArchs(manifests: PluginManifest[], archs: readonly string[]): PluginManifest[] {
  if (archs.length === 0) return manifests;
  const ids = manifests.map((m) => m.base.id);
  for (const arch of archs) {
    if (!ids.includes(arch)) throw new InputError(`--arch: unknown arch "${arch}"${unknownNameHint(arch, ids, 'archs')}`);
  }
  return manifests.filter((m) => archs.includes(m.base.id));
}

/**
 * `--variant NAME` applies NAME to every plugin that has it; `--variant ARCH=NAME` to one arch.
 * Returns the variant for each arch id.
 */
export function parseVariants(specs: readonly string[], manifests: Map<string, string[]>): Map<string, string> {
  const chosen = new Map<string, string>();
  for (const spec of specs) {
    const [arch, name] = spec.includes('=') ? spec.split('=', 2) : [undefined, spec];
    if (arch !== undefined) {
      chosen.set(arch, name);
      continue;
    }
    const archs = [...manifests].filter(([, variants]) => variants.includes(name)).map(([id]) => id);
    if (archs.length === 0) throw new InputError(`--variant: no selected plugin has a variant "${name}"`);
    for (const id of archs) chosen.set(id, name);
  }
  return chosen;
}

/**
 * A profile named by id among the loaded ones. Without an id, the released profile of the kernel
 * version the plugins describe, so that a plugin is first checked against the ordering it was
 * written for.
 */
export function chooseProfile(profiles: Profile[], plugins: Plugin[], id?: string): Profile {
  const ids = profiles
    .map((p) => p.id)
    .sort()
    .join(', ');
  if (id !== undefined) {
    const profile = profiles.find((p) => p.id === id);
    if (!profile) throw new InputError(`--profile: unknown profile "${id}"${unknownNameHint(id, profiles.map((p) => p.id).sort(), 'profiles')}`);
    return profile;
  }
  const kernels = [...new Set(plugins.map((p) => p.kernel))];
  const matching = profiles.filter((p) => !p.proposal && kernels.length === 1 && p.kernel === kernels[0]);
  if (matching.length !== 1) {
    throw new InputError(`--profile: the selected plugins describe kernels ${kernels.join(', ')}; choose a profile (${ids})`);
  }
  return matching[0]!;
}

/** The variant asked for, when the manifest has it: one name given for every plugin, as a plugin's own tests give it. */
export function variantOf(manifest: PluginManifest, variant: string | undefined): string | undefined {
  return variant !== undefined && manifest.base.variants.includes(variant) ? variant : undefined;
}
