import type { Plugin } from '../model/plugin.js';
import type { Profile } from '../model/profile.js';
import { pluginFromFile } from './plugin-from-file.js';
import { profileFromFile } from './profile-from-file.js';
import type { ConfiguredRule } from '../engine/run-rules.js';
import type { RuleModule } from '../rule-api/create-rule.js';
import { pluginSchema, profileSchema, ruleFileSchema, type Severity } from '../schemas/index.js';
import { dataFilesIn, displayPath } from './files.js';
import { InputError } from './input-error.js';
import { schemaProblems, validateSource, type Problem } from './validate.js';
import { parseSourceText, placeOf, readSourceFile, type SourceFile } from './yaml-source.js';

export function loadProfile(path: string): Profile {
  return profileOf(readSourceFile(path, displayPath(path)));
}

/** A profile written as text (a test case's), named `name` in messages. */
export function readProfileText(text: string, name: string): Profile {
  return profileOf(parseSourceText(text, name));
}

function profileOf(source: SourceFile): Profile {
  return profileFromFile(validateSource(source, profileSchema), source);
}

export function loadProfiles(dir: string): Profile[] {
  return uniqueById(dataFilesIn(dir).map(loadProfile), 'profile');
}

/** Reads a plugin manifest. The schema is checked before a variant is looked up. */
export function loadPlugin(path: string, variant?: string): Plugin {
  return readPluginManifest(path).build(variant);
}

/** A checked manifest, from which the plugin is built for a kernel version, as it is or with one of its variants. */
export interface PluginManifest {
  base: Plugin;
  build(variant?: string, kernel?: string): Plugin;
}

export function readPluginManifest(path: string): PluginManifest {
  return manifestOf(readSourceFile(path, displayPath(path)));
}

/** A manifest written as text (a test case's), named `name` in messages. */
export function readPluginText(text: string, name: string): PluginManifest {
  return manifestOf(parseSourceText(text, name));
}

function manifestOf(source: SourceFile): PluginManifest {
  const file = validateSource(source, pluginSchema);
  const base = pluginFromFile(file, source);
  return {
    base,
    build: (variant, kernel) => (variant === undefined && kernel === undefined ? base : pluginFromFile(file, source, variant, kernel)),
  };
}

/** A rule file as read, before severity overrides: what `list` and `explain` show. */
export interface RuleDefinition {
  id: string;
  summary: string;
  file: string;
  /** As written in the file; "off" rules are kept so that the command line can turn them on. */
  severity: Severity;
  module: RuleModule;
  options: readonly unknown[];
}

export function loadRuleFile(path: string, kinds: ReadonlyMap<string, RuleModule>): RuleDefinition {
  const source = readSourceFile(path, displayPath(path));
  const file = validateSource(source, ruleFileSchema);
  const module = kinds.get(file.kind);
  if (!module) {
    throw new InputError(`unknown rule kind "${file.kind}" (kinds: ${[...kinds.keys()].sort().join(', ')})`, placeOf(source, '/kind'));
  }
  return {
    id: file.id,
    summary: file.summary,
    file: source.path,
    severity: file.severity,
    module,
    options: checkRuleOptions(module, file.options, source),
  };
}

/** The rule files of one or more folders, over the given kinds; a rule id may appear once across all of them. */
export function loadRuleFiles(kinds: ReadonlyMap<string, RuleModule>, ...dirs: string[]): RuleDefinition[] {
  return uniqueById(
    dirs.flatMap((dir) => dataFilesIn(dir)).map((path) => loadRuleFile(path, kinds)),
    'rule',
  );
}

/** Rule options are checked against the kind's `meta.schema`, and errors point into the rule file. */
function checkRuleOptions(module: RuleModule, options: unknown, source: SourceFile): unknown[] {
  const given = options === undefined ? [] : [options];
  const problem = ruleOptionsProblem(module, given);
  if (problem) throw new InputError(problem.message, placeOf(source, `/options${problem.pointer}`, problem.key));
  return given;
}

/** The first problem of `options` (ESLint style: one entry per schema) against the kind's schema. */
export function ruleOptionsProblem(module: RuleModule, options: readonly unknown[]): Problem | undefined {
  if (options.length > module.meta.schema.length) return { pointer: '', message: `rule kind "${module.name}" takes no options` };
  for (const [index, schema] of module.meta.schema.entries()) {
    if (options[index] === undefined) continue;
    const [problem] = schemaProblems(options[index], schema as object);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Rule ids, profile ids, plugin ids and rule kind names are global names: a second one is bad
 * input, named with both of its sources (`originOf`: the file, and the package it came in).
 */
export function uniqueById<T extends { id: string; file: string }>(items: T[], what: string, originOf: (item: T) => string = (item) => item.file): T[] {
  const seen = new Map<string, T>();
  for (const item of items) {
    const first = seen.get(item.id);
    if (first) throw new InputError(`duplicate ${what} id "${item.id}": in ${originOf(first)} and in ${originOf(item)}`, { file: item.file });
    seen.set(item.id, item);
  }
  return items;
}

/** The rules to run: each definition with its severity, after `overrides` (rule id → severity); "off" ones dropped. */
export function configureRules(definitions: RuleDefinition[], overrides: ReadonlyMap<string, Severity> = new Map()): ConfiguredRule[] {
  for (const id of overrides.keys()) {
    if (!definitions.some((d) => d.id === id)) {
      throw new InputError(
        `unknown rule "${id}" (rules: ${definitions
          .map((d) => d.id)
          .sort()
          .join(', ')})`,
      );
    }
  }
  return definitions.flatMap((definition) => {
    const severity = overrides.get(definition.id) ?? definition.severity;
    return severity === 'off' ? [] : [{ id: definition.id, severity, module: definition.module, options: definition.options }];
  });
}
