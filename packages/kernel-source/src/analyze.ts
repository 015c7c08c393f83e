import type { Plugin, Profile, SourceProblem } from '@kvm-rules/core';
import { closestKernelVersion, holdYoungGeneration, majorMinor } from '@kvm-rules/core';
import { archDirOf, archScope, derivePlugin, readArch, setupRoles, type ArchSource } from './derive.js';
import { GENERIC_DIR, hookRolesOf, readGenericOrdering } from './generic.js';
import type { KernelTree } from './kernel-tree.js';
import { ParseCache } from './scope.js';
import type { InitFlow } from './init-flow.js';

export interface KernelAnalysis {
  /** The tree's own generic ordering, read from kvm_init(). */
  profile: Profile;
  /** The plugins as the tree has them, each with its declared counterpart and problems. */
  plugins: Plugin[];
  sources: ArchSource[];
  /** kvm_init() read path by path, for `deps` (absent when the tree has none to read). */
  generic: InitFlow | undefined;
  /** How much of the tree was read (deterministic, unlike a time). */
  stats: { filesRead: number; functionsParsed: number };
}

export interface AnalyzeOptions {
  /** The selected plugins as their manifests declare them for the tree's version. */
  plugins: Plugin[];
  /** Every loaded profile: hook roles by name across versions, and the fallback ordering. */
  profiles: Profile[];
  /** A profile chosen with --profile, whose hooks are resolved in the tree too. */
  whatIf?: Profile;
  /** Told before each arch is read (for progress on a terminal). */
  onArch?: (arch: string, index: number, total: number) => void;
}

/** Reads an open kernel tree for the selected plugins: the tree's ordering and each arch as the source has it. */
export async function analyzeKernel(tree: KernelTree, options: AnalyzeOptions): Promise<KernelAnalysis> {
  holdYoungGeneration();
  // tree-sitter is loaded only when a step needs a parse that no earlier run kept.
  const cache = new ParseCache(tree);
  const roles = hookRolesOf(options.profiles);
  const read = await cache.withParser(() => readGenericOrdering(cache, roles));
  const ordering = read?.profile ?? fallbackOrdering(tree, options.profiles);
  const hookProfile = withHooksOf(ordering, options.whatIf);
  const version = majorMinor(tree.version);
  // Who sets state up is a fact of the tree (its own ordering), whatever ordering is asked about.
  const setup = setupRoles(ordering);
  const sources: ArchSource[] = [];
  for (const [i, plugin] of options.plugins.entries()) {
    // Reading is synchronous: between archs the event loop gets a turn, so that a SIGINT handler
    // (the --changed-since copy's cleanup) runs within one arch's time, not after the whole run.
    await new Promise((resolve) => setImmediate(resolve));
    options.onArch?.(plugin.id, i, options.plugins.length);
    sources.push(await cache.withParser(() => readArch(cache, plugin, hookProfile, roles, setup)));
  }
  for (const [i, plugin] of options.plugins.entries()) sources[i]!.problems.push(...treeProblemsFor(tree, plugin));
  const plugins = await cache.withParser(() =>
    options.plugins.map((plugin, i) => {
      // Drift is measured against declarations for this very version, not the closest older ones.
      const declared = plugin.kernel === version ? plugin : undefined;
      return derivePlugin(sources[i]!, declared, plugin, archScope(cache, plugin), tree.version, setup);
    }),
  );
  tree.kept?.save();
  const stats = { filesRead: tree.filesRead, functionsParsed: cache.parsed };
  return { profile: ordering, plugins, sources, generic: read?.flow, stats };
}

/** The hooks of the --profile ordering too, so that "what if" finds their implementations. */
function withHooksOf(profile: Profile, whatIf: Profile | undefined): Profile {
  if (!whatIf) return profile;
  const hooks = new Map(profile.hooks);
  for (const [role, hook] of whatIf.hooks) if (!hooks.has(role)) hooks.set(role, hook);
  return { ...profile, hooks };
}

/** Without a readable kvm_init(), the released profile closest to the tree's version stands in, and an error says which. */
function fallbackOrdering(tree: KernelTree, profiles: Profile[]): Profile {
  const released = profiles.filter((p) => !p.proposal);
  const version = closestKernelVersion(
    released.map((p) => p.kernel),
    majorMinor(tree.version),
  );
  const profile = released.find((p) => p.kernel === version);
  if (!profile) throw new Error(`no released profile for Linux ${version}`);
  tree.diagnose(
    { file: `${GENERIC_DIR}kvm_main.c`, line: 1, column: 1 },
    `the generic ordering could not be read from the tree; profile ${profile.id} stands in`,
    'error',
  );
  return profile;
}

/** Tree problems (unreadable files, unparsable init code) that concern this arch or the generic code. */
function treeProblemsFor(tree: KernelTree, plugin: Plugin): SourceProblem[] {
  const dirs = [GENERIC_DIR, ...plugin.modules.map((m) => archDirOf(m.file))];
  return tree.diagnostics
    .filter((d) => dirs.some((dir) => d.place.file.startsWith(dir)))
    .map((d) => ({ severity: d.severity, message: d.message, location: { ...d.place } }));
}
