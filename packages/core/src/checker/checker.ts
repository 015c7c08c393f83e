// The Checker: the one place that composes load → build the check → run the rules, as ESLint's
// `ESLint` class is for ESLint. The command line, the rule tester, the plugin scaffold and the
// kernel reader's tests all check through it; docs/api.md shows it used from a script.
import { resolve } from 'node:path';
import { buildCheck } from '../engine/check.js';
import { runRules, type ConfiguredRule } from '../engine/run-rules.js';
import { InputError } from '../load/input-error.js';
import { configureRules, loadProfiles, type RuleDefinition } from '../load/load.js';
import type { PluginPackage } from '../load/plugin-package.js';
import { loadPluginSet, type PluginSet } from '../load/plugin-set.js';
import { GENERIC_ARCH, type Finding } from '../model/finding.js';
import { compareKernelVersions, majorMinor } from '../model/kernel-version.js';
import type { Plugin } from '../model/plugin.js';
import type { Profile } from '../model/profile.js';
import { builtinProfilesDir } from '../paths.js';
import type { KernelModule, KernelReader } from './kernel-reader.js';
import { chooseProfile, parseVariants, selectArchs } from './select.js';

export interface CheckerOptions {
  /** Plugin packages, in load order: rule sets (their kinds and rule files), arch plugins, profiles. */
  packages: PluginPackage[];
  /** Profiles besides the built-in ones (a profile file given by path). */
  extraProfiles?: Profile[];
  /** Folders of rule files loaded after the packages' own. */
  rulesDirs?: string[];
  /** Only these archs are reported (all without it); every arch is still judged. */
  archs?: string[];
  /** `NAME` (every plugin that has it) or `ARCH=NAME`. */
  variants?: string[];
  /** How a kernel tree is read; needed only to check one (kernel-source's `kernelReader`). */
  kernelReader?: KernelReader;
}

export interface CheckRequest {
  /** A loaded profile's id, or a profile: the generic ordering (default: with a kernel, the tree's own kvm_init(); else the released profile of the plugins' kernel). */
  profile?: string | Profile;
  /** A Linux tree to read: plugins and ordering come from its C. */
  kernel?: string;
  /** Plugins to check as they are given (built already, e.g. a test's own), instead of the loaded manifests'; not with a kernel. */
  plugins?: Plugin[];
  /** The rules to run, configured (default: every loaded rule at its own severity). */
  rules?: ConfiguredRule[];
  /** Told when the tree is open (its version) and before each arch is read. */
  onReading?: (version: string) => void;
  onArch?: (arch: string, index: number, total: number) => void;
}

/** What a check found, and about what: the result the formatters are given. */
export interface CheckOutcome {
  profile: Profile;
  /** The archs reported (--arch narrows them), with their variants. */
  plugins: Plugin[];
  /** Sorted; the reported archs' and the generic ones. */
  findings: Finding[];
  /** With a kernel: the tree read, and whether each reported module can be loaded at run time. */
  kernel?: { root: string; version: string; modules: KernelModule[] };
  /** With a kernel: how much of the tree was read. */
  stats?: { filesRead: number; functionsParsed: number };
  /** With a kernel: every file the reading depended on, with its hash (for a cache). */
  inputs?: Record<string, string>;
}

/** What a check is about: the outcome but its findings, and every plugin the rules judge (selected or not). */
interface Subject {
  outcome: Omit<CheckOutcome, 'findings'>;
  every: Plugin[];
}

export class Checker {
  /** Every loaded profile (built-in, the packages', extra). */
  readonly profiles: Profile[];
  /** Every rule file loaded, in load order. */
  readonly rules: RuleDefinition[];
  /** The ids of every loaded arch plugin, selected or not. */
  readonly archIds: string[];
  /** The page of a rule kind: meta.docs.url in the package that brought the kind. */
  readonly docsOf: (kind: string) => string | undefined;
  /** The packages it loaded (none when made from a loaded set). */
  readonly packages: readonly PluginPackage[];
  readonly #set: PluginSet;
  readonly #options: Omit<CheckerOptions, 'packages'>;
  readonly #selected: PluginSet['manifests'];
  readonly #variants: Map<string, string>;
  readonly #everyVariant: Map<string, string>;

  /** Loads the packages (and the built-in profiles) and applies the selection; bad input is an InputError. */
  static async create(options: CheckerOptions): Promise<Checker> {
    const set = await loadPluginSet(options.packages, {
      profiles: [...loadProfiles(builtinProfilesDir), ...(options.extraProfiles ?? [])],
      rulesDirs: (options.rulesDirs ?? []).map((dir) => resolve(dir)),
    });
    return new Checker(set, options, options.packages);
  }

  /** A Checker over a plugin set already loaded. */
  constructor(set: PluginSet, options: Omit<CheckerOptions, 'packages'> = {}, packages: readonly PluginPackage[] = []) {
    this.#set = set;
    this.packages = packages;
    this.#options = options;
    this.profiles = set.profiles;
    this.rules = set.rules;
    this.archIds = set.manifests.map((m) => m.base.id);
    this.docsOf = set.docsOf;
    this.#selected = selectArchs(set.manifests, options.archs ?? []);
    this.#variants = parseVariants(options.variants ?? [], new Map(this.#selected.map((m) => [m.base.id, m.base.variants])));
    for (const arch of this.#variants.keys()) {
      if (!this.#selected.some((m) => m.base.id === arch)) throw new InputError(`--variant: "${arch}" is not a selected arch`);
    }
    // `--variant NAME` applies to every plugin that has it, selected or not, as it would without --arch.
    this.#everyVariant = parseVariants(options.variants ?? [], new Map(set.manifests.map((m) => [m.base.id, m.base.variants])));
  }

  /** The selected plugins with their variants, as their manifests declare them (newest kernel). */
  get plugins(): Plugin[] {
    return this.#selected.map((manifest) => manifest.build(this.#variants.get(manifest.base.id)));
  }

  /** The selected plugins declared for a kernel version; an arch asked for by name that the version lacks is bad input. */
  pluginsFor(kernel: string): Plugin[] {
    const all = this.#selected.map((manifest) => manifest.build(this.#variants.get(manifest.base.id), kernel));
    const named = all.find((plugin) => !inKernel(plugin, kernel) && this.#options.archs?.includes(plugin.id));
    if (named) throw new InputError(`--arch: ${named.id} is not in Linux ${kernel}: its plugin describes Linux ${named.kernels.join(', ')}`);
    return all.filter((plugin) => inKernel(plugin, kernel));
  }

  /**
   * Every loaded plugin the kernel version has, selected or not, built as a check of all archs
   * with the same variants would build it: what judgements across archs (no-unused-hook) look
   * at, so that selecting archs narrows what is reported and never changes what is found.
   */
  everyPluginFor(kernel: string): Plugin[] {
    return this.#set.manifests.map((manifest) => manifest.build(this.#everyVariant.get(manifest.base.id), kernel)).filter((plugin) => inKernel(plugin, kernel));
  }

  /** Every loaded rule at the severity its rule file gives it. */
  defaultRules(): ConfiguredRule[] {
    return configureRules(this.rules);
  }

  /** Builds the check (the declarations, or what a kernel tree says) and runs the rules over it. */
  async check(request: CheckRequest = {}): Promise<CheckOutcome> {
    if (request.plugins && request.kernel !== undefined) throw new Error('Checker: plugins are given or read from a kernel, not both');
    const subject = request.kernel === undefined ? this.#declared(request.profile, request.plugins) : await this.#fromKernel(request.kernel, request);
    const rules = request.rules ?? this.defaultRules();
    const profiles = this.profiles.includes(subject.outcome.profile) ? this.profiles : [...this.profiles, subject.outcome.profile];
    const found = runRules(buildCheck(subject.outcome.profile, subject.every, profiles), rules);
    // Selecting archs narrows, never adds: the generic findings stay, the same as with all archs.
    const reported = new Set([GENERIC_ARCH, ...subject.outcome.plugins.map((plugin) => plugin.id)]);
    const findings = subject.outcome.plugins.length === subject.every.length ? found : found.filter((finding) => reported.has(finding.arch));
    return { ...subject.outcome, findings };
  }

  #profile(profile: string | Profile | undefined, plugins: Plugin[]): Profile {
    return typeof profile === 'object' ? profile : chooseProfile(this.profiles, plugins, profile);
  }

  #declared(profileAsked: string | Profile | undefined, given: Plugin[] | undefined): Subject {
    if (given) return { outcome: { profile: this.#profile(profileAsked, given), plugins: given }, every: given };
    const profile = this.#profile(profileAsked, this.plugins);
    return { outcome: { profile, plugins: this.pluginsFor(profile.kernel) }, every: this.everyPluginFor(profile.kernel) };
  }

  /** With a kernel, the plugins come from the tree and the ordering is its own kvm_init(), unless a profile asks "what if". */
  async #fromKernel(dir: string, request: CheckRequest): Promise<Subject> {
    const reader = this.#options.kernelReader;
    if (!reader) throw new Error('Checker: checking a kernel tree needs a kernelReader (@kvm-rules/kernel-source)');
    const tree = await reader.open(dir);
    const version = majorMinor(tree.version);
    this.#rejectOtherKernelVariants(version);
    const whatIf = request.profile === undefined ? undefined : this.#profile(request.profile, this.plugins);
    request.onReading?.(tree.version);
    const selected = new Set(this.pluginsFor(version).map((plugin) => plugin.id));
    // Every arch is read, not only the selected ones: a generic finding is judged across them all.
    const reading = await tree.analyze({
      plugins: this.everyPluginFor(version),
      profiles: this.profiles,
      ...(whatIf ? { whatIf } : {}),
      ...(request.onArch ? { onArch: request.onArch } : {}),
    });
    const plugins = reading.plugins.filter((plugin) => selected.has(plugin.id));
    // Whether each module can be loaded at run time, and the Kconfig line that says so: what a window that needs userspace rests on.
    const modules = plugins.flatMap((plugin) =>
      plugin.modules.map((m) => ({ arch: plugin.id, init: m.init, file: m.file, ...(m.kconfig ? { kconfig: m.kconfig } : {}) })),
    );
    return {
      outcome: {
        profile: whatIf ?? reading.profile,
        plugins,
        kernel: { root: tree.root, version: tree.version, modules },
        stats: reading.stats,
        inputs: tree.inputs,
      },
      every: reading.plugins,
    };
  }

  /** A variant is a patch to one kernel version (tdx-v7 to 5.19): it says nothing about a tree of another. */
  #rejectOtherKernelVariants(version: string): void {
    for (const plugin of this.plugins) {
      if (plugin.variant && plugin.kernel !== version) {
        throw new InputError(`--variant: ${plugin.id}'s ${plugin.variant} describes Linux ${plugin.kernel}; the tree is Linux ${version}`);
      }
    }
  }
}

/** A plugin whose oldest declarations are newer than the kernel has no arch there (KVM on loongarch arrived in 6.7). */
function inKernel(plugin: Plugin, kernel: string): boolean {
  return compareKernelVersions(plugin.kernels[0]!, kernel) <= 0;
}
