import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  InputError,
  builtinProfilesDir,
  compareKernelVersions,
  findPluginPackage,
  loadPluginSet,
  loadProfile,
  loadProfiles,
  type Plugin,
  type PluginManifest,
  type PluginPackage,
  type Profile,
  type RuleDefinition,
  type Severity,
} from '@kvm-rules/core';
import { unknownNameHint } from './suggest.js';

/** The arch plugins that ship with kvm-rules, by package name. */
export const BUILTIN_PLUGINS = [
  '@kvm-rules/plugin-x86-vmx',
  '@kvm-rules/plugin-x86-svm',
  '@kvm-rules/plugin-mips',
  '@kvm-rules/plugin-arm64',
  '@kvm-rules/plugin-riscv',
  '@kvm-rules/plugin-powerpc',
  '@kvm-rules/plugin-s390',
  '@kvm-rules/plugin-loongarch',
];

/** The default rule set: a plugin package of rule kinds and rule files. */
export const DEFAULT_RULES = '@kvm-rules/rules';

const BUILTIN_PACKAGES: readonly string[] = [DEFAULT_RULES, ...BUILTIN_PLUGINS];

/** The built-in packages are found from this package, wherever the user's plugins are. */
const cliDir = dirname(fileURLToPath(new URL('../package.json', import.meta.url)));

function sameManifests(a: PluginPackage, b: PluginPackage): boolean {
  return a.manifests.join('\n') === b.manifests.join('\n');
}

/** The built-in packages, then the plugins given (paths or package names, looked up from the working directory). */
export function pluginPackages(specs: readonly string[] = []): PluginPackage[] {
  const builtin = BUILTIN_PACKAGES.map((name) => findPluginPackage(name, cliDir));
  const given = specs.map((spec) => findPluginPackage(spec, process.cwd()));
  // A package named twice (by the configuration and by --plugin) is loaded once.
  return [...builtin, ...given].filter((pkg, i, all) => all.findIndex((other) => other.dir === pkg.dir && sameManifests(other, pkg)) === i);
}

/**
 * `--variant NAME` applies NAME to every plugin that has it; `--variant ARCH=NAME` to one arch.
 * Returns the variant for each arch id.
 */
export function parseVariants(specs: string[], manifests: Map<string, string[]>): Map<string, string> {
  const chosen = new Map<string, string>();
  for (const spec of specs) {
    const [arch, name] = spec.includes('=') ? spec.split('=', 2) : [undefined, spec];
    if (arch !== undefined) {
      chosen.set(arch, name!);
      continue;
    }
    const archs = [...manifests].filter(([, variants]) => variants.includes(name!)).map(([id]) => id);
    if (archs.length === 0) throw new InputError(`--variant: no selected plugin has a variant "${name}"`);
    for (const id of archs) chosen.set(id, name!);
  }
  return chosen;
}

export interface LoadedProject {
  profiles: Profile[];
  /** The selected plugins, with their variants, as their manifests declare them (newest kernel). */
  plugins: Plugin[];
  rules: RuleDefinition[];
  /** The ids of every loaded plugin, selected or not. */
  archIds: string[];
  /** The same plugins, declared for another kernel version (see `versions` in the manifest). */
  pluginsFor(kernel: string): Plugin[];
  /**
   * Every loaded plugin that the kernel version has, selected or not, built as a check of all
   * archs with the same --variant would build it: what judgements across archs (no-unused-hook)
   * look at, so that --arch narrows what is reported and never changes what is found.
   */
  everyPluginFor(kernel: string): Plugin[];
  /** The page of a rule kind: meta.docs.url in the package that brought the kind. */
  docsOf(kind: string): string | undefined;
  /** The plugin packages given (not the built-in ones): inputs of the run, for --cache. */
  given: PluginPackage[];
}

export interface ProjectOptions {
  plugins?: string[];
  rulesDirs?: string[];
  archs?: string[];
  variants?: string[];
  /** Profiles loaded from a path given to --profile. */
  extraProfiles?: Profile[];
}

/** Loads the built-in and given plugin packages (profiles, rule kinds and files, arch plugins) and keeps the selected archs with their variants. */
export async function loadProject(options: ProjectOptions = {}): Promise<LoadedProject> {
  const packages = pluginPackages(options.plugins);
  const set = await loadPluginSet(packages, {
    profiles: [...loadProfiles(builtinProfilesDir), ...(options.extraProfiles ?? [])],
    rulesDirs: (options.rulesDirs ?? []).map((dir) => resolve(dir)),
  });
  const manifests = set.manifests;
  const selected = selectArchs(manifests, options.archs ?? []);
  const variants = parseVariants(options.variants ?? [], new Map(selected.map((m) => [m.base.id, m.base.variants])));
  for (const arch of variants.keys()) {
    if (!selected.some((m) => m.base.id === arch)) throw new InputError(`--variant: "${arch}" is not a selected arch`);
  }
  const build = (kernel?: string) => selected.map((manifest) => manifest.build(variants.get(manifest.base.id), kernel));
  // A plugin whose oldest declarations are newer than the kernel has no arch to analyze there
  // (KVM on loongarch arrived in 6.7): it is left out rather than checked as another version.
  const inKernel = (plugin: Plugin, kernel: string) => compareKernelVersions(plugin.kernels[0]!, kernel) <= 0;
  const pluginsFor = (kernel: string) => {
    const all = build(kernel);
    // Asked for by name, an arch the kernel does not have is a mistake, not a clean result.
    const named = all.find((plugin) => !inKernel(plugin, kernel) && options.archs?.includes(plugin.id));
    if (named) {
      throw new InputError(`--arch: ${named.id} is not in Linux ${kernel}: its plugin describes Linux ${named.kernels.join(', ')}`);
    }
    return all.filter((plugin) => inKernel(plugin, kernel));
  };
  // `--variant NAME` applies to every plugin that has it, selected or not, as it would without --arch.
  const everyVariant = parseVariants(options.variants ?? [], new Map(manifests.map((m) => [m.base.id, m.base.variants])));
  const everyPluginFor = (kernel: string) =>
    manifests.map((manifest) => manifest.build(everyVariant.get(manifest.base.id), kernel)).filter((plugin) => inKernel(plugin, kernel));
  return {
    profiles: set.profiles,
    plugins: build(),
    rules: set.rules,
    archIds: manifests.map((m) => m.base.id),
    pluginsFor,
    everyPluginFor,
    docsOf: set.docsOf,
    given: packages.filter((pkg) => !BUILTIN_PACKAGES.includes(pkg.name)),
  };
}

function selectArchs(manifests: PluginManifest[], archs: string[]): PluginManifest[] {
  if (archs.length === 0) return manifests;
  const ids = manifests.map((m) => m.base.id);
  for (const arch of archs) {
    if (!ids.includes(arch)) throw new InputError(`--arch: unknown arch "${arch}"${unknownNameHint(arch, ids, 'archs')}`);
  }
  return manifests.filter((m) => archs.includes(m.base.id));
}

/**
 * `--profile ID` names a loaded profile. Without it, the released profile of the kernel
 * version the selected plugins describe is used, so that a plugin is first checked against
 * the ordering it was written for.
 */
export function chooseProfile(profiles: Profile[], plugins: Plugin[], id?: string): Profile {
  const ids = profiles.map((p) => p.id).sort().join(', ');
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

/** `--rule ID:SEVERITY`, repeatable. */
export function parseRuleOverrides(specs: string[]): Map<string, Severity> {
  const overrides = new Map<string, Severity>();
  for (const spec of specs) {
    const match = /^([a-z0-9][a-z0-9._-]*):(error|warning|off)$/.exec(spec);
    if (!match) throw new InputError(`--rule: "${spec}" is not ID:SEVERITY (severity: error, warning or off)`);
    overrides.set(match[1]!, match[2] as Severity);
  }
  return overrides;
}

/** A profile given as a path is loaded as an extra profile: "what if kvm_init() did this?". */
export function isProfilePath(value: string | undefined): value is string {
  return value !== undefined && (/\.ya?ml$/.test(value) || value.includes('/'));
}

/** The project `check` runs with these options, and the profile file --profile names, if it names one. */
export async function loadCheckProject(options: { profile?: string; arch: string[]; variant: string[]; plugin: string[]; rulesDir: string[] }): Promise<{
  project: LoadedProject;
  extra: Profile | undefined;
}> {
  const extra = isProfilePath(options.profile) ? loadProfile(resolve(options.profile)) : undefined;
  const project = await loadProject({
    archs: options.arch,
    variants: options.variant,
    plugins: options.plugin,
    rulesDirs: options.rulesDir,
    extraProfiles: extra ? [extra] : [],
  });
  return { project, extra };
}
