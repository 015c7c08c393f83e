// createPlugin(), behind `kvm-rules new-plugin <name>`: a plugin package for a maintainer to fill and publish, its tests
// passing as written. The manifest is derived from a kernel tree (--kernel, --arch-dir) or a frame
// to fill; the package has an example rule of its own with its test and page, and a test of the
// plugin's findings under a profile, computed here when the package is written.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinProfilesDir, compareKernelVersions, displayPath, findPluginPackage, InputError, loadProfiles, majorMinor, type Profile } from '@kvm-rules/core';
import { dependencyPlan, type DependencyPlan } from './dependencies.js';
import { findingsAsScaffolded } from './findings.js';
import { pluginNames, type PluginNames } from './names.js';
import { kindsModule, ruleFile, rulePage, ruleTest } from './templates/example-rule.js';
import { MANIFEST_SCHEMA, manifestTemplate } from './templates/manifest.js';
import { gitignore, packageJson, readme, type ManifestOrigin } from './templates/package.js';
import { docsTest, pluginTest, summaryOf } from './templates/tests.js';
import { checkOutDir, writePackage, type PackageFile } from './write.js';

export interface NewPluginOptions {
  /** A kernel tree to derive plugin.yaml from, with `archDir`. */
  kernel?: string;
  /** The arch's KVM directory in the tree, such as arch/loongarch/kvm. */
  archDir?: string;
  /** The package folder; default ./kvm-rules-plugin-<name>. */
  out?: string;
  /** The profile the plugin test checks under. */
  profile?: string;
}

export interface NewPluginResult {
  /** What was written and what to run next. */
  output: string;
  /** What scaffoldManifest() wants the maintainer to know, for stderr. */
  notes: string[];
}

/** The default rule set, whose rules the new plugin's test runs. */
const DEFAULT_RULES = '@kvm-rules/rules';

/**
 * Writes the package. `cliDir` is the kvm-rules installation (or checkout) the plugin will be
 * checked with: the versions it depends on, and the rule set its findings are computed with,
 * come from there.
 */
export async function createPlugin(name: string, options: NewPluginOptions, cliDir: string): Promise<NewPluginResult> {
  const names = pluginNames(name);
  if ((options.kernel === undefined) !== (options.archDir === undefined)) {
    throw new InputError("new-plugin: --kernel and --arch-dir go together (the tree, and the arch's KVM directory in it, such as arch/loongarch/kvm)");
  }
  const out = resolve(options.out ?? names.packageName);
  checkOutDir(out);
  const profiles = loadProfiles(builtinProfilesDir);
  const manifest = await manifestFor(names, options, profiles);
  const plan = dependencyPlan(cliDir);
  const files: PackageFile[] = [
    ['package.json', packageJson(names, plan)],
    ['plugin.yaml', manifest.yaml],
    ['kinds.js', kindsModule(names)],
    [`rules/${names.kind}.yaml`, ruleFile(names)],
    [`docs/rules/${names.kind}.md`, rulePage(names)],
    [`test/${names.kind}.test.js`, ruleTest(names)],
    ['test/docs.test.js', docsTest()],
    ['README.md', readme(names, plan, manifest.origin, manifest.profile)],
    ['.gitignore', gitignore()],
  ];
  const existed = existsSync(out);
  try {
    writePackage(out, files);
    // The plugin's test asserts what the package, as written, is found to have.
    const findings = await findingsAsScaffolded(out, findPluginPackage(DEFAULT_RULES, cliDir), manifest.profile);
    const test: PackageFile = ['test/plugin.test.js', pluginTest(manifest.profile, summaryOf(findings))];
    writePackage(out, [test]);
    return { output: summary(names, out, [...files, test], plan, manifest, findings.length, options.kernel), notes: manifest.notes };
  } catch (error) {
    // Half a package would make the next run refuse the folder.
    if (existed) for (const entry of readdirSync(out)) rmSync(join(out, entry), { recursive: true, force: true });
    else rmSync(out, { recursive: true, force: true });
    throw error;
  }
}

interface Manifest {
  yaml: string;
  notes: string[];
  origin: ManifestOrigin;
  /** The profile the plugin test checks under. */
  profile: string;
}

/** Derived from the tree with --kernel, else the frame; the profile is chosen with it, since the frame's kernel is the profile's. */
async function manifestFor(names: PluginNames, options: NewPluginOptions, profiles: Profile[]): Promise<Manifest> {
  if (options.kernel === undefined || options.archDir === undefined) {
    const profile = chooseProfile(profiles, options.profile, undefined);
    return { yaml: manifestTemplate(names, profile.kernel), notes: [], origin: {}, profile: profile.id };
  }
  // Loaded only here: tree-sitter costs a start-up the frame does not need.
  const { KernelTree } = await import('@kvm-rules/kernel-source');
  const { scaffoldManifest } = await import('./scaffold-manifest.js');
  const tree = KernelTree.open(options.kernel);
  const profile = chooseProfile(profiles, options.profile, majorMinor(tree.version));
  const scaffolded = await scaffoldManifest(tree, { id: names.id, archDir: options.archDir, profiles, schema: MANIFEST_SCHEMA });
  return {
    yaml: scaffolded.yaml,
    notes: scaffolded.notes,
    origin: { kernel: { version: tree.version, archDir: options.archDir } },
    profile: profile.id,
  };
}

/** --profile; else the released profile of the tree's kernel version; else the newest released profile (v6.12). */
function chooseProfile(profiles: Profile[], id: string | undefined, kernel: string | undefined): Profile {
  if (id !== undefined) {
    const profile = profiles.find((p) => p.id === id);
    if (!profile)
      throw new InputError(
        `--profile: unknown profile "${id}" (profiles: ${profiles
          .map((p) => p.id)
          .sort()
          .join(', ')})`,
      );
    return profile;
  }
  const released = profiles.filter((p) => !p.proposal).sort((a, b) => compareKernelVersions(b.kernel, a.kernel));
  return released.find((p) => p.kernel === kernel) ?? released[0]!;
}

function summary(
  names: PluginNames,
  out: string,
  files: PackageFile[],
  plan: DependencyPlan,
  manifest: Manifest,
  findings: number,
  kernel: string | undefined,
): string {
  const shown = displayPath(out);
  const from = manifest.origin.kernel
    ? `plugin.yaml derived from Linux ${manifest.origin.kernel.version} ${manifest.origin.kernel.archDir}, every derived entry marked to confirm`
    : 'plugin.yaml a frame to fill';
  const check = kernel === undefined ? `--profile ${manifest.profile}` : `--kernel ${resolve(kernel)}`;
  return [
    `Wrote ${names.packageName} to ${shown}/ (${from}; ${findings} finding${findings === 1 ? '' : 's'} under ${manifest.profile}, listed in test/plugin.test.js):`,
    ...files.map(([path]) => `  ${path}`).sort(),
    plan.checkout
      ? `Its @kvm-rules packages are tarballs packed from ${plan.checkout} into ${join(plan.checkout, '.cache', 'packages')} (see README.md).`
      : `Its @kvm-rules packages: ${Object.values(plan.dependencies)[0]}.`,
    '',
    'Next:',
    `  cd ${shown}`,
    '  npm install',
    '  npm test',
    `  npx kvm-rules check --plugin . ${check}`,
    '',
  ].join('\n');
}
