// What the kernel-source tests share: the fixture trees, the built-in plugins and rules, and a
// `check --kernel` done in-process (analyzeKernel, then the rules over the derived plugins),
// the way the CLI does it, without depending on the CLI package.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  builtinProfilesDir,
  Checker,
  copyResolved,
  findPluginPackage,
  formatLocation,
  loadPluginSet,
  loadProfiles,
  readPluginManifest,
  type Finding,
  type KernelReader,
  type Plugin,
  type Profile,
} from '@kvm-rules/core';
import { assert, onTestFinished } from 'vitest';
import { analyzeKernel, KernelTree, type KernelAnalysis } from '../src/index.js';
import { cParser } from '../src/c-parser.js';
import { ParseCache, Scope, scopeNames } from '../src/scope.js';
import type { Facts } from '../src/function-facts.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const cliBin = join(repoRoot, 'packages/cli/bin/kvm-rules.js');

export const fixture = (name: string) => join(fixturesDir, name);
export const fixturePlugin = (name: string) => join(fixturesDir, name, 'plugin.yaml');

/** The manifests of the built-in arch plugins (packages/plugins/<arch>/plugin.yaml). */
export function builtinManifests(): string[] {
  const dir = join(repoRoot, 'packages/plugins');
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name, 'plugin.yaml'));
}

let profiles: Profile[] | undefined;
export function allProfiles(): Profile[] {
  profiles ??= loadProfiles(builtinProfilesDir);
  return profiles;
}

export interface CheckOptions {
  /** Extra plugin manifests, as with `--plugin`. */
  plugins?: string[];
  /** The archs to analyze, as with `--arch` (built-in plugins are always loaded; this selects). */
  archs: string[];
  /** A built-in profile id, as with `--profile`: "what if this tree had that ordering". */
  profile?: string;
  /** Changes the plugins before the tree is read (to empty their declarations, say). */
  declared?: (plugin: Plugin) => Plugin;
}

/**
 * A plugin with nothing declared but its id and its module inits (which function, in which file):
 * what the tree is read from. Every other fact must then come from the C.
 */
export function emptied(plugin: Plugin): Plugin {
  return {
    id: plugin.id,
    summary: plugin.id,
    kernel: plugin.kernel,
    kernels: plugin.kernels,
    variants: [],
    file: plugin.file,
    location: plugin.location,
    modules: plugin.modules.map((m) => ({ init: m.init, file: m.file, phases: [], location: m.location })),
    hooks: new Map(),
    state: new Map(),
  };
}

export interface CheckRun {
  tree: KernelTree;
  analysis: KernelAnalysis;
  profile: Profile;
  findings: Finding[];
}

/**
 * `kvm-rules check --kernel DIR [--plugin P] --arch A [--profile ID]`, in-process, through the
 * Checker as the CLI does it. The analysis the Checker asked for is kept (for the tests that look
 * at what was read), narrowed to the selected archs.
 */
export async function checkKernel(dir: string, options: CheckOptions): Promise<CheckRun> {
  let tree: KernelTree | undefined;
  let analysis: KernelAnalysis | undefined;
  const reader: KernelReader = {
    open(path) {
      const opened = (tree = KernelTree.open(path));
      return {
        root: opened.root,
        version: opened.version,
        inputs: opened.inputs,
        analyze: async (request) => (analysis = await analyzeKernel(opened, request)),
      };
    },
  };
  // The archs asked for first, in the order asked: the order the analysis reads and reports them.
  const rank = (id: string) => (options.archs.includes(id) ? options.archs.indexOf(id) : options.archs.length);
  const manifests = [...builtinManifests(), ...(options.plugins ?? [])].map(readPluginManifest).sort((a, b) => rank(a.base.id) - rank(b.base.id));
  const declared = options.declared;
  const rules = await loadPluginSet([findPluginPackage('@kvm-rules/rules', repoRoot)], { profiles: allProfiles() });
  const set = {
    ...rules,
    manifests: declared
      ? manifests.map((m) => ({ base: m.base, build: (variant?: string, kernel?: string) => declared(m.build(variant, kernel)) }))
      : manifests,
  };
  const checker = new Checker(set, { archs: options.archs, kernelReader: reader });
  const { profile, findings } = await checker.check({ kernel: dir, ...(options.profile !== undefined ? { profile: options.profile } : {}) });
  const selected = new Set(options.archs);
  assert(tree && analysis, `the checker did not read ${dir}`);
  const narrowed = { ...analysis, plugins: analysis.plugins.filter((p) => selected.has(p.id)), sources: analysis.sources.filter((s) => selected.has(s.arch)) };
  return { tree, analysis: narrowed, profile, findings };
}

/** A finding in one line, for exact comparisons: rule, arch, severity and file:line:column. */
export function brief(finding: Finding): string {
  const where = finding.location ? formatLocation(finding.location) : '(no location)';
  return `${finding.ruleId} ${finding.arch} ${finding.severity} ${where}`;
}

/** A temporary directory, removed when the test that made it is done. */
function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A fixture copied to a temporary directory, to be changed by a test. */
export function copyFixture(name: string): string {
  const dir = temporaryDir(`kvm-rules-${name}-`);
  // Symlinks followed: the fixtures share virt/ through a symlink, and an edit of the copy must not reach it.
  copyResolved(fixture(name), dir);
  return dir;
}

/**
 * A minimal kernel tree in a temporary directory, made of the files given (tree-relative path →
 * text), plus a Makefile saying 6.12 unless one is given.
 */
export function treeWith(files: Record<string, string | Buffer>): string {
  const dir = temporaryDir('kvm-rules-tree-');
  const all: Record<string, string | Buffer> = { Makefile: 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n', ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  mkdirSync(join(dir, 'arch'), { recursive: true });
  return dir;
}

/**
 * A scope over a tree (by default, as one arch's analysis has it: the arch's KVM directory and
 * virt/kvm, with `home` as the module's own directory), to test the pieces directly.
 */
export async function scopeOf(
  dir: string,
  home: string,
  files: (tree: KernelTree) => string[] = (tree) => [...tree.cFiles(home.split('/').slice(0, 3).join('/'), true), ...tree.cFiles('virt/kvm', false)],
): Promise<{ tree: KernelTree; cache: ParseCache; scope: Scope }> {
  const tree = KernelTree.open(dir);
  const cache = new ParseCache(tree, await cParser());
  return { tree, cache, scope: new Scope(cache, scopeNames(tree, [...new Set(files(tree))], home)) };
}

/** A tree of two files: a kvm_init() that does nothing, and arch/demo/kvm/demo.c holding `demo`. */
export function demoTree(demo: string): string {
  return treeWith({ 'virt/kvm/kvm_main.c': 'int kvm_init(void)\n{\n\treturn 0;\n}\n', 'arch/demo/kvm/demo.c': demo });
}

/**
 * `check --kernel` of a demoTree() with a plugin `demo` that names only its module init,
 * demo_init() in arch/demo/kvm/demo.c: every fact comes from `demo`.
 */
export async function checkDemo(demo: string): Promise<CheckRun> {
  const dir = demoTree(demo);
  const plugin = join(dir, 'plugin.yaml');
  writeFileSync(
    plugin,
    'id: demo\nsummary: Demo arch\nkernel: "6.12"\nmodules:\n  - { init: demo_init, file: arch/demo/kvm/demo.c, phases: [{ id: kvm-init, call: kvm_init }] }\nhooks: {}\nstate: {}\n',
  );
  return checkKernel(dir, { plugins: [plugin], archs: ['demo'] });
}

/** What a function the scope defines does (fails the test when it defines none of that name). */
export function factsIn(scope: Scope, name: string): Facts {
  const definition = scope.definition(name);
  assert(definition, `${name}() defined`);
  return scope.info(definition).facts;
}

/** Runs the built CLI (packages/cli/bin/kvm-rules.js) as a user would. */
export function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliBin, ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
