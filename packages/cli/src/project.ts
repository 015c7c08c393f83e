import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Checker,
  displayPath,
  InputError,
  findPluginPackage,
  loadProfile,
  type ConfiguredRule,
  type KernelReader,
  type PluginPackage,
  type Profile,
  type Severity,
} from '@kvm-rules/core';
import type { RuleInfo } from './formatters/types.js';

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
export const cliDir = dirname(fileURLToPath(new URL('../package.json', import.meta.url)));

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

/** The plugin packages given (not the built-in ones): inputs of the run, for --cache. */
export function givenPackages(checker: Checker): PluginPackage[] {
  return checker.packages.filter((pkg) => !BUILTIN_PACKAGES.includes(pkg.name));
}

/** Reads kernel trees for the Checker; kernel-source (and tree-sitter) load only when a tree is read. */
const lazyKernelReader: KernelReader = {
  async open(dir) {
    const { kernelReader } = await import('@kvm-rules/kernel-source');
    return kernelReader.open(dir);
  },
};

export interface ProjectOptions {
  plugins?: string[];
  rulesDirs?: string[];
  archs?: string[];
  variants?: string[];
  /** Profiles loaded from a path given to --profile. */
  extraProfiles?: Profile[];
}

/** The Checker over the built-in and given plugin packages, with the selected archs and variants. */
export function loadProject(options: ProjectOptions = {}): Promise<Checker> {
  return Checker.create({
    packages: pluginPackages(options.plugins),
    ...(options.extraProfiles ? { extraProfiles: options.extraProfiles } : {}),
    ...(options.rulesDirs ? { rulesDirs: options.rulesDirs } : {}),
    ...(options.archs ? { archs: options.archs } : {}),
    ...(options.variants ? { variants: options.variants } : {}),
    kernelReader: lazyKernelReader,
  });
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
export function isProfilePath(value: string): boolean {
  return /\.ya?ml$/.test(value) || value.includes('/');
}

/** The Checker `check` runs with these options, and the profile file --profile names, if it names one. */
export async function loadCheckProject(options: { profile?: string; arch: string[]; variant: string[]; plugin: string[]; rulesDir: string[] }): Promise<{
  project: Checker;
  extra: Profile | undefined;
}> {
  const extra = options.profile !== undefined && isProfilePath(options.profile) ? loadProfile(resolve(options.profile)) : undefined;
  const project = await loadProject({
    archs: options.arch,
    variants: options.variant,
    plugins: options.plugin,
    rulesDirs: options.rulesDir,
    extraProfiles: extra ? [extra] : [],
  });
  return { project, extra };
}

/** What the reports say of each rule that ran: its summary, severity, page and kind. */
export function ruleInfos(project: Checker, rules: ConfiguredRule[]): RuleInfo[] {
  return rules.map((rule) => ({
    id: rule.id,
    summary: project.rules.find((definition) => definition.id === rule.id)?.summary ?? '',
    severity: rule.severity,
    docs: displayPath(project.docsOf(rule.module.name) ?? rule.module.meta.docs.url),
    kind: rule.module.name,
    description: rule.module.meta.docs.description,
  }));
}
