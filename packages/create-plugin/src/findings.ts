// The findings a new plugin package has when it is written, computed as its own test will
// compute them (@kvm-rules/rule-tester's checkPluginPackage, through core's Checker): the
// default rule set and the package's rules over its manifests built for the profile's kernel.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinProfilesDir, Checker, GENERIC_ARCH, loadPluginSet, loadProfiles, readPluginPackage, type Finding, type PluginPackage } from '@kvm-rules/core';

const CORE = '@kvm-rules/core';

/** `dir` is the written package; `rules` the default rule set, as this CLI loads it. */
export async function findingsAsScaffolded(dir: string, rules: PluginPackage, profileId: string): Promise<Finding[]> {
  const pkg = readPluginPackage(dir);
  const copy = importableKinds(pkg);
  try {
    const set = await loadPluginSet([rules, { ...pkg, ...(copy && { kindsModule: copy.file }) }], { profiles: loadProfiles(builtinProfilesDir) });
    const { findings } = await new Checker(set).check({ profile: profileId });
    return findings.filter((finding) => finding.arch !== GENERIC_ARCH);
  } finally {
    copy?.remove();
  }
}

/**
 * The package's kinds module imports @kvm-rules/core, which is not installed next to it yet (its
 * `npm install` comes later). A copy that imports the core this CLI runs on is what is loaded:
 * the same code, the same core.
 */
function importableKinds(pkg: PluginPackage): { file: string; remove(): void } | undefined {
  if (!pkg.kindsModule) return undefined;
  const text = readFileSync(pkg.kindsModule, 'utf8');
  const core = pathToFileURL(createRequire(import.meta.url).resolve(CORE)).href;
  const work = mkdtempSync(join(tmpdir(), 'kvm-rules-new-plugin-'));
  // .mjs: a temporary folder has no package.json to say "type": "module".
  const file = join(work, 'kinds.mjs');
  writeFileSync(file, text.replaceAll(`from '${CORE}'`, `from '${core}'`));
  return {
    file,
    remove: () => {
      rmSync(work, { recursive: true, force: true });
    },
  };
}
