// Plugin packages: what a kvm-rules plugin is on disk and how it is found. A plugin is an npm
// package whose package.json has a "kvm-rules" key (schemas/plugin-package.ts) naming the plugin
// API it targets and what it brings: arch manifests, declarative rules, profiles, rule kinds.
// The built-in arch plugins and the default rule set are plugin packages too, loaded the same way.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleModule } from '../rule-api/create-rule.js';
import { PLUGIN_API_VERSION, pluginPackageSchema } from '../schemas/plugin-package.js';
import { displayPath } from './files.js';
import { InputError } from './input-error.js';
import { validateSource } from './validate.js';
import { partOf, placeOf, readSourceFile, type SourceFile } from './yaml-source.js';

export interface PluginPackage {
  /** The package's name, or its path when it has none (a manifest file given directly). */
  name: string;
  dir: string;
  manifests: string[];
  rulesDir?: string;
  profilesDir?: string;
  kindsModule?: string;
}

/**
 * ESLint's naming convention: `foo` is the package `kvm-rules-plugin-foo`, `@scope` is
 * `@scope/kvm-rules-plugin` and `@scope/foo` is `@scope/kvm-rules-plugin-foo`.
 */
export function pluginPackageName(spec: string): string {
  const [scope, name] = spec.startsWith('@') ? (spec.includes('/') ? spec.split('/', 2) : [spec, '']) : [undefined, spec];
  const full = name === '' || name === 'kvm-rules-plugin' || name.startsWith('kvm-rules-plugin-') ? name || 'kvm-rules-plugin' : `kvm-rules-plugin-${name}`;
  return scope ? `${scope}/${full}` : full;
}

/** A path is written as one ("./p", "../p", "/abs/p", "p/plugin.yaml"); anything else names a package. */
export function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || (spec.includes('/') && !spec.startsWith('@')) || /\.ya?ml$/.test(spec);
}

/**
 * Finds a plugin given as a path (a package folder, or one manifest file) or as an npm package
 * name looked up from `from` the way Node looks up packages, and reads its descriptor.
 */
export function findPluginPackage(spec: string, from: string): PluginPackage {
  if (isPathSpec(spec)) {
    const path = resolve(from, spec);
    if (!existsSync(path)) throw new InputError(`plugin "${spec}": no such file or folder (${displayPath(path)})`);
    return statSync(path).isDirectory() ? readPluginPackage(path) : { name: displayPath(path), dir: dirname(path), manifests: [path] };
  }
  return readPluginPackage(packageDirOf(spec, from));
}

/** The conventional name first; a package named otherwise (the built-in @kvm-rules/rules) as written. */
function packageDirOf(spec: string, from: string): string {
  const names = [...new Set([pluginPackageName(spec), spec])];
  const require = createRequire(join(from, 'package.json'));
  for (const name of names) {
    const dir = (require.resolve.paths(name) ?? []).map((modules) => join(modules, name)).find((candidate) => existsSync(join(candidate, 'package.json')));
    // Workspaces and `npm link` install packages as symlinks: findings name the files where they are.
    if (dir) return realpathSync(dir);
  }
  const hint = existsSync(resolve(from, spec)) ? ` (to load the folder "${spec}", write ./${spec})` : ' (install it, or give a path)';
  throw new InputError(`plugin "${spec}": cannot find the package ${names.join(' or ')} from ${displayPath(from) || '.'}${hint}`);
}

/** Reads and checks the "kvm-rules" key of a package folder's package.json. */
export function readPluginPackage(dir: string): PluginPackage {
  const pkgFile = join(dir, 'package.json');
  if (!existsSync(pkgFile)) throw new InputError(`${displayPath(dir)} is not a plugin package: it has no package.json`);
  const pkg = readSourceFile(pkgFile, displayPath(pkgFile), 'json');
  if (typeof pkg.data !== 'object' || pkg.data === null || Array.isArray(pkg.data)) {
    throw new InputError(`${displayPath(dir)} is not a plugin package: its package.json is not an object`, { file: pkg.path, line: 1, column: 1 });
  }
  const named = fieldOf(pkg.data, 'name');
  const name = typeof named === 'string' ? named : displayPath(dir);
  if (fieldOf(pkg.data, 'kvm-rules') === undefined) {
    throw new InputError(`${name} is not a kvm-rules plugin: its package.json has no "kvm-rules" key`, { file: pkg.path });
  }
  const descriptor = partOf(pkg, '/kvm-rules');
  checkApiVersion(descriptor, name);
  const file = validateSource(descriptor, pluginPackageSchema);
  const at = (pointer: string, path: string, kind: 'file' | 'dir'): string => packageFile(descriptor, dir, pointer, path, kind, name);
  const brought = {
    manifests: (file.manifests ?? []).map((path, i) => at(`/manifests/${i}`, path, 'file')),
    ...(file.rules !== undefined && { rulesDir: at('/rules', file.rules, 'dir') }),
    ...(file.profiles !== undefined && { profilesDir: at('/profiles', file.profiles, 'dir') }),
    ...(file.kinds !== undefined && { kindsModule: at('/kinds', file.kinds, 'file') }),
  };
  if (Object.keys(brought).length === 1 && brought.manifests.length === 0) {
    throw new InputError(`plugin ${name} brings nothing: name manifests, rules, profiles or kinds`, placeOf(descriptor, ''));
  }
  return { name, dir, ...brought };
}

/** A key's value in parsed JSON or YAML not yet validated: undefined unless `data` is a mapping that has it. */
function fieldOf(data: unknown, key: string): unknown {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>)[key] : undefined;
}

/** Checked before the schema: a package written for another API should hear that, not about unknown keys. */
function checkApiVersion(descriptor: SourceFile, name: string): void {
  const version = fieldOf(descriptor.data, 'apiVersion');
  if (version === undefined) {
    throw new InputError(`plugin ${name} does not say which plugin API it targets: add "apiVersion": ${PLUGIN_API_VERSION}`, placeOf(descriptor, ''));
  }
  if (version !== PLUGIN_API_VERSION) {
    const problem = typeof version === 'number' && Number.isInteger(version) ? `targets plugin API ${version}` : `has apiVersion ${JSON.stringify(version)}`;
    throw new InputError(`plugin ${name} ${problem}; this kvm-rules supports plugin API ${PLUGIN_API_VERSION}`, placeOf(descriptor, '/apiVersion'));
  }
}

function packageFile(descriptor: SourceFile, dir: string, pointer: string, path: string, kind: 'file' | 'dir', name: string): string {
  const full = resolve(dir, path);
  const found = existsSync(full) && statSync(full).isDirectory() === (kind === 'dir');
  if (!found) throw new InputError(`plugin ${name}: ${path} is not a ${kind === 'dir' ? 'folder' : 'file'} of the package`, placeOf(descriptor, pointer));
  return full;
}

/** Imports a package's rule kinds and checks that each has the shape the engine runs. */
export async function importRuleKinds(pkg: PluginPackage): Promise<RuleModule[]> {
  if (!pkg.kindsModule) return [];
  const shown = displayPath(pkg.kindsModule);
  let module: { kinds?: unknown };
  try {
    module = (await import(pathToFileURL(pkg.kindsModule).href)) as { kinds?: unknown };
  } catch (error) {
    throw new InputError(`plugin ${pkg.name}: cannot load its rule kinds: ${(error as Error).message.split('\n')[0]}`, { file: shown });
  }
  if (!Array.isArray(module.kinds)) throw new InputError(`plugin ${pkg.name}: the module must export \`kinds\`, an array of rule kinds`, { file: shown });
  module.kinds.forEach((kind, i) => {
    const problem = ruleKindProblem(kind);
    if (problem) throw new InputError(`plugin ${pkg.name}: kinds[${i}] ${problem}`, { file: shown });
  });
  return module.kinds as RuleModule[];
}

/** What createRule() guarantees and the engine relies on, checked for kinds that come from elsewhere. */
function ruleKindProblem(kind: unknown): string | undefined {
  const rule = kind as Partial<RuleModule> | null;
  if (typeof rule !== 'object' || rule === null) return 'is not a rule kind (make it with createRule())';
  if (typeof rule.name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(rule.name)) return 'has no valid name (lower-case letters, digits, ".", "_", "-")';
  if (typeof rule.create !== 'function') return `(${rule.name}) has no create() function`;
  if (typeof rule.meta?.messages !== 'object') return `(${rule.name}) has no meta.messages`;
  if (!Array.isArray(rule.meta.schema)) return `(${rule.name}) has no meta.schema array`;
  return undefined;
}
