// Where a new plugin package gets the @kvm-rules packages from. Installed from a registry, the
// CLI writes semver ranges of its own release. Run from a kvm-rules checkout, it cannot: the
// packages of that checkout are in no registry (and a registry's may be another version, or
// someone else's). Then every @kvm-rules package the plugin needs is packed, as `npm publish`
// would pack it, into <checkout>/.cache/packages/, and the plugin depends on those tarballs.
//
// Why tarballs and not the package folders: a folder (`file:` without `install-links`) is
// linked, and the linked @kvm-rules/rule-tester would import the checkout's own vitest, a second
// instance beside the plugin's, which fails ("failed to find the runner"). With `install-links`
// npm copies the folders, which works for direct dependencies, but it resolves `file:` folder
// overrides of transitive ones (the CLI's arch plugins) against the wrong folder (npm 11). A
// tarball is installed like a registry package, transitive or not.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { InputError } from '@kvm-rules/core';

/** The vitest range of the kvm-rules repository (its root package.json), which the plugin's tests run on. */
export const VITEST_RANGE = '^4.1.12';

/** What the plugin's package.json needs from us: the CLI, the core, the default rule set and the tester. */
const DIRECT = {
  dependencies: ['@kvm-rules/core'],
  devDependencies: ['kvm-rules', '@kvm-rules/rule-tester', '@kvm-rules/rules'],
} as const;

export interface DependencyPlan {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** Checkout only: every @kvm-rules package, wherever in the tree it is wanted, is the packed one. */
  overrides?: Record<string, string>;
  /** Checkout only: the checkout the tarballs were packed from. */
  checkout?: string;
}

interface PackageJson {
  name: string;
  version: string;
  main?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/** The dependencies of a new plugin, for the CLI whose package folder is `cliDir`. */
export function dependencyPlan(cliDir: string): DependencyPlan {
  const checkout = checkoutOf(cliDir);
  return checkout ? checkoutPlan(checkout, packedPackages(checkout)) : publishedPlan(readJson(join(cliDir, 'package.json')).version);
}

/** The @kvm-rules packages are released together under one version: the CLI's. */
export function publishedPlan(version: string): DependencyPlan {
  const range = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, `^${version}`]));
  return { dependencies: range(DIRECT.dependencies), devDependencies: { ...range(DIRECT.devDependencies), vitest: VITEST_RANGE } };
}

/**
 * `file:` specs to the tarballs, and overrides so that what the packages depend on among
 * themselves (an exact "0.1.0", in no registry) is the tarball too: `$name` for the plugin's
 * direct dependencies (npm's way to say "the same as mine"), the tarball for the rest.
 */
export function checkoutPlan(checkout: string, tarballs: ReadonlyMap<string, string>): DependencyPlan {
  const spec = (name: string) => {
    const tarball = tarballs.get(name);
    if (tarball === undefined) throw new Error(`no tarball of ${name} among ${[...tarballs.keys()].join(', ')}`);
    return `file:${tarball}`;
  };
  const direct = new Set<string>([...DIRECT.dependencies, ...DIRECT.devDependencies]);
  const specs = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, spec(name)]));
  const overrides = Object.fromEntries([...tarballs.keys()].sort().map((name) => [name, direct.has(name) ? `$${name}` : spec(name)]));
  return {
    dependencies: specs(DIRECT.dependencies),
    devDependencies: { ...specs(DIRECT.devDependencies), vitest: VITEST_RANGE },
    overrides,
    checkout,
  };
}

/**
 * The kvm-rules checkout this CLI runs from, or undefined when it is an installed package (its
 * real path is inside a node_modules folder). The checkout is the workspace root above it.
 */
export function checkoutOf(cliDir: string): string | undefined {
  const real = realpathSync(cliDir);
  if (real.split(sep).includes('node_modules')) return undefined;
  for (let dir = dirname(real); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && readJson(pkg).workspaces) return dir;
  }
  return undefined;
}

/** Packed once per process: one `npm pack` of every package takes about two seconds. */
const packed = new Map<string, ReadonlyMap<string, string>>();

/** Packs the direct dependencies and the @kvm-rules packages they need; returns each tarball's path by package name. */
export function packedPackages(checkout: string): ReadonlyMap<string, string> {
  let tarballs = packed.get(checkout);
  if (!tarballs) {
    tarballs = pack(checkout, workspaceClosure(checkout, [...DIRECT.dependencies, ...DIRECT.devDependencies]));
    packed.set(checkout, tarballs);
  }
  return tarballs;
}

/** The named packages and the @kvm-rules packages they depend on, by name, with their folders in the checkout. */
function workspaceClosure(checkout: string, names: string[]): Map<string, string> {
  const require = createRequire(join(checkout, 'package.json'));
  const dirs = new Map<string, string>();
  const visit = (name: string) => {
    if (dirs.has(name)) return;
    const dir = dirname(realpathSync(require.resolve(`${name}/package.json`)));
    const pkg = readJson(join(dir, 'package.json'));
    // A tarball without its build would install and then fail at import, far from the cause.
    if (pkg.main && !existsSync(join(dir, pkg.main)))
      throw new InputError(`new-plugin: ${name} is not built (${join(dir, pkg.main)} is missing); run \`npm run build\` in ${checkout}`);
    dirs.set(name, dir);
    for (const dependency of Object.keys(pkg.dependencies ?? {})) if (dependency.startsWith('@kvm-rules/')) visit(dependency);
  };
  names.forEach(visit);
  return dirs;
}

/**
 * `npm pack` into a fresh folder, then each tarball renamed into .cache/packages/: a rename is
 * atomic, so a concurrent run never installs half a file. npm's tarballs are reproducible (fixed
 * dates, sorted entries), so unchanged packages keep their bytes and a lockfile's integrity.
 */
function pack(checkout: string, dirs: Map<string, string>): Map<string, string> {
  const target = join(checkout, '.cache', 'packages');
  mkdirSync(target, { recursive: true });
  const work = mkdtempSync(join(target, '.pack-'));
  try {
    const result = spawnSync('npm', ['pack', '--json', '--pack-destination', work, ...dirs.values()], { cwd: checkout, encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      throw new InputError(`new-plugin: npm pack in ${checkout} failed: ${result.error?.message ?? lastLine(result.stderr)}`);
    }
    const outputs = JSON.parse(result.stdout) as { name: string; filename: string }[];
    return new Map(
      outputs.map(({ name, filename }) => {
        renameSync(join(work, filename), join(target, filename));
        return [name, join(target, filename)];
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** npm's own error lines, without its warnings and log hints. */
const lastLine = (text: string) => {
  const lines = text.trim().split('\n');
  return lines.find((line) => line.startsWith('npm error')) ?? lines.filter(Boolean).at(-1) ?? 'no output';
};
