// Loads plugin packages together. Rule files of any package may configure the rule kinds of
// any other (a vendor's stricter kvm-init-last, say), so every package's kinds are imported
// before any rule file is read. Ids are global: a clash names both packages.
import { join } from 'node:path';
import { displayPath } from './files.js';
import { loadProfiles, loadRuleFiles, readPluginManifest, uniqueById, type PluginManifest, type RuleDefinition } from './load.js';
import { importRuleKinds, type PluginPackage } from './plugin-package.js';
import type { Profile } from '../model/profile.js';
import type { RuleModule } from '../rule-api/create-rule.js';

export interface PluginSet {
  packages: PluginPackage[];
  manifests: PluginManifest[];
  profiles: Profile[];
  kinds: ReadonlyMap<string, RuleModule>;
  rules: RuleDefinition[];
  /** The page of a rule kind: its meta.docs.url, in the package that brought it. */
  docsOf: (kind: string) => string | undefined;
}

export interface PluginSetOptions {
  /** Profiles that come with no package (core's built-in ones, a --profile file), first. */
  profiles?: Profile[];
  /** Extra folders of rule files (--rules-dir). */
  rulesDirs?: string[];
}

export async function loadPluginSet(packages: PluginPackage[], options: PluginSetOptions = {}): Promise<PluginSet> {
  const originOf = originIn(packages);

  const manifests = packages.flatMap((pkg) => pkg.manifests.map(readPluginManifest));
  uniqueById(
    manifests.map((m) => m.base),
    'plugin',
    originOf,
  );

  const profiles = [...(options.profiles ?? []), ...packages.flatMap((pkg) => (pkg.profilesDir ? loadProfiles(pkg.profilesDir) : []))];
  uniqueById(profiles, 'profile', originOf);

  const kindsOf = async (pkg: PluginPackage) => {
    const module = pkg.kindsModule;
    return module === undefined ? [] : (await importRuleKinds(pkg)).map((kind) => ({ id: kind.name, file: displayPath(module), kind, pkg }));
  };
  const kindList = await Promise.all(packages.map(kindsOf));
  const kinds = new Map(uniqueById(kindList.flat(), 'rule kind', originOf).map(({ id, kind }) => [id, kind]));

  const ruleDirs = [...packages.flatMap((pkg) => pkg.rulesDir ?? []), ...(options.rulesDirs ?? [])];
  const rules = uniqueById(
    ruleDirs.flatMap((dir) => loadRuleFiles(kinds, dir)),
    'rule',
    originOf,
  );

  const pageOf = new Map(kindList.flat().map(({ id, kind, pkg }) => [id, join(pkg.dir, kind.meta.docs.url)]));
  return { packages, manifests, profiles, kinds, rules, docsOf: (kind) => pageOf.get(kind) };
}

/** Names a file with the package it came in: "packages/plugins/mips/plugin.yaml (@kvm-rules/plugin-mips)". */
function originIn(packages: PluginPackage[]): (item: { file: string }) => string {
  const dirs = packages.map((pkg) => ({ name: pkg.name, dir: `${displayPath(pkg.dir)}/` })).sort((a, b) => b.dir.length - a.dir.length);
  return ({ file }) => {
    const pkg = dirs.find(({ dir }) => file.startsWith(dir));
    return pkg ? `${file} (${pkg.name})` : file;
  };
}
