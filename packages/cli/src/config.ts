// The configuration file, flat-config style: kvm-rules.config.{mjs,js,json,yaml} (or --config F)
// gives the options a project always passes, rule severities and options, and the findings it
// accepts (exceptions and ignores, each with its reason). The command line wins over it: a flag
// given replaces the config's value, a repeatable flag adds to the config's list.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  chooseProfile,
  closestName,
  configSchema,
  type Checker,
  configureRules,
  displayPath,
  findPluginPackage,
  InputError,
  isPathSpec,
  readSourceFile,
  ruleOptionsProblem,
  schemaProblems,
  validateSource,
  type ConfigFile,
  type Finding,
  type InputPlace,
  type RuleDefinition,
  type RuleSetting,
  type Severity,
} from '@kvm-rules/core';
import { currentHash } from './cache.js';
import { BUILTIN_PLUGINS, isProfilePath, loadCheckProject, parseRuleOverrides, pluginPackages } from './project.js';

/**
 * The options a configuration file can set, as the command line gives them: the file merges
 * under them. Plain data in; resolveConfig() gives the same shape back, merged.
 */
export interface ConfigInput {
  /** The configuration file; without it, kvm-rules.config.* in the working directory, then a JSON or YAML one in the --kernel tree. */
  config?: string | undefined;
  kernel?: string | undefined;
  profile?: string | undefined;
  plugin: string[];
  rulesDir: string[];
  arch: string[];
  rule: string[];
  variant: string[];
}

const DATA_EXTENSIONS = ['.json', '.yaml', '.yml'];
const MODULE_EXTENSIONS = ['.mjs', '.js'];

/** The files looked for, in this order, in the working directory. */
export const CONFIG_FILE_NAMES = ['kvm-rules.config.mjs', 'kvm-rules.config.js', 'kvm-rules.config.json', 'kvm-rules.config.yaml'];
/**
 * The files looked for in the --kernel tree's root: data only. A module there would be code of
 * the tree under check, run by checking it; it is loaded only when --config names it.
 */
export const KERNEL_CONFIG_FILE_NAMES = CONFIG_FILE_NAMES.filter((name) => DATA_EXTENSIONS.includes(extname(name)));

export type RuleConfig = Exclude<RuleSetting, string>;
export type ConfigException = NonNullable<ConfigFile['exceptions']>[number];
export type ConfigIgnore = NonNullable<ConfigFile['ignores']>[number];

/** What `--print-config` prints: every key, with its default when neither the file nor the command line set it. */
export interface PrintedConfig {
  /** The configuration file used, or null. */
  config: string | null;
  plugins: string[];
  rulesDirs: string[];
  /** The profile id or file; null with a kernel tree and no profile: the tree's own kvm_init(). */
  profile: string | null;
  kernel: string | null;
  archs: string[];
  /** Every loaded rule with its effective severity and options (null: the rule's kind takes none). */
  rules: Record<string, { severity: Severity; options: Record<string, unknown> | null }>;
  exceptions: ConfigException[];
  ignores: ConfigIgnore[];
  /** Where the sarif and mail reports link the default rule set's pages; null: kvm-rules' repository. */
  docsBaseUrl: string | null;
}

export interface ResolvedConfig<T extends ConfigInput = ConfigInput> {
  /** The configuration file used (absolute), if any. */
  file: string | undefined;
  /** The command-line options with the configuration merged under them. */
  options: T;
  /** The loaded rule definitions with the config's severities and options, once every reference in the config is checked. */
  rules(project: Checker): RuleDefinition[];
  /** The findings left once the config's exceptions and ignores are applied. */
  filter(findings: Finding[]): Finding[];
  /** What the run read because of the config (the file, the plugins, rule folders and profile it names), for --cache. */
  inputs: Record<string, string>;
  /** The config's docsBaseUrl: where reports link the default rule set's pages. */
  docsBaseUrl: string | undefined;
  /** The file's exceptions and ignores, as written. */
  exceptions: ConfigException[];
  ignores: ConfigIgnore[];
}

/** Where in the config file a problem is: line and column for JSON and YAML, the pointer alone for a module. */
type Locate = (pointer: string, key?: string) => InputPlace;

/** A problem found while following a value of the file is told at that value. */
function withPlace<T>(read: () => T, place: InputPlace): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof InputError && !error.place) throw new InputError(error.message, place);
    throw error;
  }
}

interface LoadedConfig {
  file: string;
  data: ConfigFile;
  locate: Locate;
}

/**
 * Finds and reads the configuration file and merges the command line over it. Bad input (a file
 * that is not there, fails the schema, names an unknown rule) is an InputError naming the file
 * and the JSON pointer.
 */
export async function resolveConfig<T extends ConfigInput>(given: T): Promise<ResolvedConfig<T>> {
  const path = findConfig(given);
  const loaded = path === undefined ? undefined : await loadConfig(path);
  const data: ConfigFile = loaded?.data ?? {};
  const locate: Locate = loaded?.locate ?? ((pointer) => ({ file: '', pointer }));
  // A plugin can bring code (its rule kinds, imported): a config the tree under check brings may not name one.
  if (
    path !== undefined &&
    given.config === undefined &&
    given.kernel !== undefined &&
    isInside(realpathOr(path), realpathOr(resolve(given.kernel))) &&
    data.plugins?.length
  ) {
    throw new InputError(
      'a configuration found in the --kernel tree cannot name plugins (a plugin can bring code); give this file with --config, or the plugin with --plugin',
      locate('/plugins'),
    );
  }
  const base = loaded ? dirname(loaded.file) : process.cwd();
  const inputs: Record<string, string> = loaded ? { [loaded.file]: currentHash(loaded.file) } : {};

  // Paths in the file are relative to it. What they name is an input of the run (--cache), but a
  // kernel tree, whose reading records the files it depends on.
  const configPath = (pointer: string, value: string, kind: 'file' | 'dir' | 'any', input = true): string => {
    const absolute = resolve(base, value);
    if (!existsSync(absolute))
      throw new InputError(`no such ${kind === 'dir' ? 'folder' : kind === 'file' ? 'file' : 'file or folder'}: ${displayPath(absolute)}`, locate(pointer));
    if (kind !== 'any' && statSync(absolute).isDirectory() !== (kind === 'dir')) {
      throw new InputError(`${displayPath(absolute)} is ${kind === 'dir' ? 'not a folder' : 'a folder'}`, locate(pointer));
    }
    if (input) inputs[absolute] = currentHash(absolute);
    return absolute;
  };
  // A plugin named by package is looked up from the file's folder, as a path is resolved against it.
  const configPlugin = (pointer: string, spec: string): string => {
    if (isPathSpec(spec)) return configPath(pointer, spec, 'any');
    const dir = withPlace(() => findPluginPackage(spec, base).dir, locate(pointer));
    inputs[dir] = currentHash(dir);
    return dir;
  };
  const plugins = (data.plugins ?? []).map((p, i) => configPlugin(`/plugins/${i}`, p));
  const rulesDirs = (data.rulesDirs ?? []).map((d, i) => configPath(`/rulesDirs/${i}`, d, 'dir'));
  const kernel = data.kernel === undefined ? undefined : configPath('/kernel', data.kernel, 'dir', false);
  const profile = data.profile === undefined || !isProfilePath(data.profile) ? data.profile : configPath('/profile', data.profile, 'file');
  const options: T = {
    ...given,
    plugin: [...plugins, ...given.plugin],
    rulesDir: [...rulesDirs, ...given.rulesDir],
    arch: [...new Set([...(data.archs ?? []), ...given.arch])],
    profile: given.profile ?? profile,
    kernel: given.kernel ?? kernel,
  };
  if (data.archs?.length) checkConfigArchs(data.archs, options.plugin, locate);

  const exceptions = data.exceptions ?? [];
  const ignores = data.ignores ?? [];
  ignores.forEach((ignore, i) => {
    if (ignore.rule === undefined && ignore.arch === undefined && ignore.file === undefined) {
      throw new InputError('an ignore needs at least one of "rule", "arch", "file" (else it would drop every finding)', locate(`/ignores/${i}`));
    }
  });
  // minimatch is loaded only for a config that has file globs: a check without pays nothing for it.
  const glob = ignores.some((ignore) => ignore.file !== undefined) ? await import('minimatch') : undefined;
  const matchGlob = glob?.minimatch;
  // A glob minimatch cannot compile (extglobs nested too deep) is bad input at its place, not a stack overflow mid-run.
  ignores.forEach((ignore, i) => {
    if (ignore.file === undefined || !glob) return;
    try {
      glob.minimatch('probe', ignore.file);
    } catch (error) {
      throw new InputError(`a glob kvm-rules cannot use: ${(error as Error).message}`, locate(`/ignores/${i}/file`));
    }
  });
  const settings = Object.entries(data.rules ?? {}).map(([id, setting]) => [id, ruleConfig(setting as RuleSetting)] as const);

  const rules = (project: Checker): RuleDefinition[] => {
    const ids = project.rules.map((r) => r.id);
    const knownRule = (id: string, pointer: string, key?: string): RuleDefinition => {
      const definition = project.rules.find((r) => r.id === id);
      if (!definition) throw new InputError(`unknown rule "${id}"${hint(id, ids, 'rules')}`, locate(pointer, key));
      return definition;
    };
    const archs = [...project.archIds, 'generic'];
    const knownArch = (arch: string, pointer: string) => {
      if (!archs.includes(arch)) throw new InputError(`unknown arch "${arch}"${hint(arch, archs, 'archs')}`, locate(pointer));
    };
    for (const [id, setting] of settings) {
      const definition = knownRule(id, '/rules', id);
      if (setting.options === undefined) continue;
      const problem = ruleOptionsProblem(definition.module, [setting.options]);
      if (problem) throw new InputError(problem.message, locate(`/rules/${id}/options${problem.pointer}`, problem.key));
    }
    exceptions.forEach((exception, i) => {
      knownRule(exception.rule, `/exceptions/${i}/rule`);
      knownArch(exception.arch, `/exceptions/${i}/arch`);
    });
    ignores.forEach((ignore, i) => {
      if (ignore.rule !== undefined) knownRule(ignore.rule, `/ignores/${i}/rule`);
      if (ignore.arch !== undefined) knownArch(ignore.arch, `/ignores/${i}/arch`);
    });
    if (given.profile === undefined && data.profile !== undefined && !isProfilePath(data.profile)) {
      const profiles = project.profiles.map((p) => p.id).sort();
      if (!profiles.includes(data.profile))
        throw new InputError(`unknown profile "${data.profile}"${hint(data.profile, profiles, 'profiles')}`, locate('/profile'));
    }
    const byId = new Map(settings);
    return project.rules.map((definition) => {
      const setting = byId.get(definition.id);
      if (!setting) return definition;
      return {
        ...definition,
        severity: setting.severity ?? definition.severity,
        options: setting.options === undefined ? definition.options : [setting.options],
      };
    });
  };

  const filter = (findings: Finding[]): Finding[] =>
    findings.filter(
      (finding) =>
        !exceptions.some((e) => e.rule === finding.ruleId && e.arch === finding.arch) && !ignores.some((ignore) => ignoreMatches(ignore, finding, matchGlob)),
    );

  return { file: loaded?.file, options, rules, filter, inputs, docsBaseUrl: data.docsBaseUrl, exceptions, ignores };
}

/** A profile given as a path is a file of its own; else it is a profile id (as check.ts decides for --profile). */

function hint(name: string, known: string[], what: string): string {
  const suggestion = closestName(name, known);
  return suggestion ? ` (did you mean "${suggestion}"?)` : ` (${what}: ${[...known].sort().join(', ')})`;
}

function ruleConfig(setting: RuleSetting): RuleConfig {
  return typeof setting === 'string' ? { severity: setting } : setting;
}

type Glob = (path: string, pattern: string, options: { dot: boolean }) => boolean;

function ignoreMatches(ignore: ConfigIgnore, finding: Finding, glob: Glob | undefined): boolean {
  if (ignore.rule !== undefined && ignore.rule !== finding.ruleId) return false;
  if (ignore.arch !== undefined && ignore.arch !== finding.arch) return false;
  if (ignore.file !== undefined && !(finding.location && glob?.(finding.location.file, ignore.file, { dot: true }))) return false;
  return true;
}

/**
 * --config, else the first kvm-rules.config.* in the working directory, else the first JSON or
 * YAML one in the --kernel tree's root. What is found inside the --kernel tree is never a module,
 * not even through a working directory in the tree: checking a tree does not run its code.
 */
function findConfig(given: ConfigInput): string | undefined {
  if (given.config !== undefined) {
    const path = resolve(given.config);
    const extension = extname(path);
    if (![...MODULE_EXTENSIONS, ...DATA_EXTENSIONS].includes(extension)) {
      throw new InputError(`--config: ${given.config} is not a .mjs, .js, .json, .yaml or .yml file`);
    }
    if (!existsSync(path) || statSync(path).isDirectory()) throw new InputError(`--config: no such file: ${given.config}`);
    return path;
  }
  const kernel = given.kernel === undefined ? undefined : realpathOr(resolve(given.kernel));
  const cwd = process.cwd();
  const cwdNames = kernel !== undefined && isInside(realpathOr(cwd), kernel) ? KERNEL_CONFIG_FILE_NAMES : CONFIG_FILE_NAMES;
  const places: [string, string[]][] = [[cwd, cwdNames]];
  if (given.kernel !== undefined) places.push([resolve(given.kernel), KERNEL_CONFIG_FILE_NAMES]);
  for (const [dir, names] of places) {
    for (const name of names) {
      const path = join(dir, name);
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
  }
  return undefined;
}

/** The path with its symbolic links resolved, when it exists; else as given. */
function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Whether `path` is `dir` or below it. */
function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function loadConfig(path: string): Promise<LoadedConfig> {
  const shown = displayPath(path);
  if (DATA_EXTENSIONS.includes(extname(path))) {
    const source = readSourceFile(path, shown);
    return { file: path, data: validateSource(source, configSchema), locate: (pointer, key) => ({ file: shown, pointer, ...source.locate(pointer, key) }) };
  }
  let module: { default?: unknown };
  try {
    module = (await import(/* @vite-ignore */ pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`cannot load the configuration: ${message.split('\n')[0]}`, { file: shown });
  }
  if (module.default === undefined) throw new InputError('has no default export (export default { rules: { … } })', { file: shown });
  const locate: Locate = (pointer) => ({ file: shown, pointer });
  const [first, ...more] = schemaProblems(module.default, configSchema);
  if (first) {
    const suffix = more.length > 0 ? ` (and ${more.length} more problem${more.length > 1 ? 's' : ''} in this file)` : '';
    throw new InputError(first.message + suffix, locate(first.pointer));
  }
  return { file: path, data: module.default as ConfigFile, locate };
}

/**
 * Config archs are checked here, before the project is loaded (which would report an unknown
 * one as a bad --arch). The built-in plugins' package names give their ids without reading
 * them; only an arch they do not cover makes the manifests be read.
 */
function checkConfigArchs(archs: readonly string[], plugins: string[], locate: Locate): void {
  const builtin = BUILTIN_PLUGINS.map((name) => name.replace('@kvm-rules/plugin-', ''));
  if (archs.every((arch) => builtin.includes(arch))) return;
  let ids: string[];
  try {
    ids = pluginPackages(plugins)
      .flatMap((pkg) => pkg.manifests)
      .map((path) => String((readSourceFile(path).data as { id?: unknown }).id));
  } catch {
    return; // A manifest that cannot be read is reported, with its place, when the project is loaded.
  }
  archs.forEach((arch, i) => {
    if (!ids.includes(arch)) throw new InputError(`unknown arch "${arch}"${hint(arch, ids, 'archs')}`, locate(`/archs/${i}`));
  });
}

/**
 * `check --print-config`: the configuration the run would use, merged from the file and the
 * command line, every key, with the effective severity and options of every loaded rule; as JSON.
 */
export async function printedConfig(given: ConfigInput): Promise<string> {
  const config = await resolveConfig(given);
  const { options } = config;
  const { project, extra } = await loadCheckProject(options);
  const definitions = config.rules(project);
  const overrides = parseRuleOverrides(options.rule);
  configureRules(definitions, overrides);
  // As check chooses: the profile given, else (without a kernel tree) the plugins' newest released one.
  const chosen =
    options.kernel === undefined || options.profile !== undefined ? chooseProfile(project.profiles, project.plugins, extra?.id ?? options.profile) : undefined;
  const profile = options.profile !== undefined && isProfilePath(options.profile) ? shownPath(options.profile) : (chosen?.id ?? null);
  // Without a kernel tree, the archs are those the profile's kernel version has (loongarch arrived in 6.7).
  const archs = options.kernel === undefined && chosen ? project.pluginsFor(chosen.kernel) : project.plugins;
  const printed: PrintedConfig = {
    config: config.file === undefined ? null : shownPath(config.file),
    plugins: options.plugin.map(shownPath),
    rulesDirs: options.rulesDir.map(shownPath),
    profile,
    kernel: options.kernel === undefined ? null : shownPath(options.kernel),
    archs: archs.map((p) => p.id),
    rules: Object.fromEntries(definitions.map((d) => [d.id, { severity: overrides.get(d.id) ?? d.severity, options: effectiveOptions(d) }])),
    exceptions: config.exceptions,
    ignores: config.ignores,
    docsBaseUrl: config.docsBaseUrl ?? null,
  };
  return `${JSON.stringify(printed, null, 2)}\n`;
}

/** A path as messages show it; the working directory itself as ".". */
function shownPath(path: string): string {
  const absolute = resolve(path);
  return absolute === process.cwd() ? '.' : displayPath(absolute);
}

/** The options the rule runs with: its kind's defaults under the file's or the config's (objects merged, arrays replaced). */
function effectiveOptions(definition: RuleDefinition): Record<string, unknown> | null {
  if (definition.module.meta.schema.length === 0) return null;
  return merge(definition.module.meta.defaultOptions[0] ?? {}, definition.options[0]) as Record<string, unknown>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(defaults: unknown, value: unknown): unknown {
  if (value === undefined) return defaults;
  if (!isPlainObject(defaults) || !isPlainObject(value)) return value;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, item] of Object.entries(value)) merged[key] = merge(defaults[key], item);
  return merged;
}
