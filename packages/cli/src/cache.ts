// --cache: a run's report kept with a fingerprint of everything it read (the kernel files and
// directory listings, the plugin, rule and profile files, a config file or its absence, the
// tool's own code), so that the same command on unchanged input prints the same report without
// loading the checker. Any byte that differs, a file that appears or goes: the run is redone.
// Only node's own modules here: a cache hit must not pay for loading the rest.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/** Input path → content hash ("dir:" + listing hash for a directory, "absent" for nothing there). */
export type Inputs = Record<string, string>;

interface Entry {
  inputs: Inputs;
  output: string;
  exitCode: number;
  outputFile?: string;
}

interface CacheFile {
  kvmRulesCache: 1;
  entries: Record<string, Entry>;
}

const DEFAULT_LOCATION = '.kvm-rules-cache';
const CACHE_FLAGS = new Set(['--cache']);
const CACHE_OPTIONS = new Set(['--cache-location']);
const CONFIG_NAMES = ['kvm-rules.config.mjs', 'kvm-rules.config.js', 'kvm-rules.config.json', 'kvm-rules.config.yaml'];

export function hashOf(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The value of `--name value` or `--name=value`. */
function optionValue(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i]!.startsWith(`${name}=`)) return argv[i]!.slice(name.length + 1);
  }
  return undefined;
}

export function cacheFile(argv: string[], cwd = process.cwd()): string | undefined {
  if (argv[0] !== 'check' || !argv.includes('--cache')) return undefined;
  const location = resolve(cwd, optionValue(argv, '--cache-location') ?? DEFAULT_LOCATION);
  return existsSync(location) && statSync(location).isDirectory() ? join(location, 'kvm-rules-cache.json') : location;
}

/** The command as the cache sees it: without the cache's own options, in the directory it ran in. */
function keyOf(argv: string[], cwd: string): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (CACHE_FLAGS.has(argv[i]!)) continue;
    if (CACHE_OPTIONS.has(argv[i]!)) {
      i++;
      continue;
    }
    if ([...CACHE_OPTIONS].some((name) => argv[i]!.startsWith(`${name}=`))) continue;
    kept.push(argv[i]!);
  }
  return hashOf(JSON.stringify({ cwd, argv: kept, tool: toolFingerprint() }));
}

/** The tool's own code and data: a cache entry from another build of kvm-rules never matches. */
function toolFingerprint(): string {
  const require = createRequire(import.meta.url);
  const own = JSON.parse(readFileSync(require.resolve('@kvm-rules/cli/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const packages = ['@kvm-rules/cli', ...Object.keys(own.dependencies ?? {}).filter((name) => name.startsWith('@kvm-rules/'))];
  const roots = packages.flatMap((name) => {
    try {
      return [dirname(require.resolve(`${name}/package.json`))];
    } catch {
      return [];
    }
  });
  const hash = createHash('sha256');
  for (const root of roots) for (const dir of ['dist', 'profiles', '.']) hashTree(hash, join(root, dir), dir === '.');
  return hash.digest('hex');
}

/** Hashes the files below `dir` (only its own files when `shallow`), names and contents, in sorted order. */
function hashTree(hash: ReturnType<typeof createHash>, dir: string, shallow: boolean): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      if (!shallow) hashTree(hash, path, false);
      continue;
    }
    hash.update(path).update(readFileSync(path));
  }
}

/** What is at `path` now, as an input hash. */
export function currentHash(path: string): string {
  if (!existsSync(path)) return 'absent';
  const stat = statSync(path);
  if (!stat.isDirectory()) return hashOf(readFileSync(path));
  const hash = createHash('sha256').update('dir:');
  hashTree(hash, path, false);
  return hash.digest('hex');
}

/** A directory's listing now, as KernelTree records the directories it lists ("dir:" one level, "dirr:" all). */
function currentInput(path: string, recorded: string): string {
  const listing = /^(dirr?):/.exec(recorded)?.[1];
  if (!listing) return currentHash(path);
  if (!existsSync(path) || !statSync(path).isDirectory()) return 'absent';
  const names = (readdirSync(path, { recursive: listing === 'dirr' }) as string[]).map(String).sort();
  return `${listing}:${hashOf(names.join('\n'))}`;
}

function readCache(file: string): CacheFile | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return data.kvmRulesCache === 1 && typeof data.entries === 'object' ? data : undefined;
  } catch {
    // A cache that cannot be read is no cache: the run is done again and writes a new one.
    return undefined;
  }
}

/** The stored report of this very command, when nothing it read has changed since. */
export function cached(argv: string[], cwd = process.cwd()): { output: string; exitCode: number } | undefined {
  const file = cacheFile(argv, cwd);
  if (!file) return undefined;
  const entry = readCache(file)?.entries[keyOf(argv, cwd)];
  if (!entry) return undefined;
  for (const [path, recorded] of Object.entries(entry.inputs)) if (currentInput(path, recorded) !== recorded) return undefined;
  if (entry.outputFile) writeFileSync(entry.outputFile, entry.output);
  return { output: entry.outputFile ? '' : entry.output, exitCode: entry.exitCode };
}

/**
 * Inputs a run has besides the kernel files: every path on the command line (a plugin, a rules
 * folder, a profile, a baseline), and the config files that could be found, or their absence.
 */
export function commandInputs(argv: string[], cwd: string, kernelRoot: string | undefined, outputs: string[]): Inputs {
  const inputs: Inputs = {};
  const skip = new Set([kernelRoot, ...outputs].filter(Boolean).map((p) => resolve(cwd, p!)));
  for (const token of argv.slice(1)) {
    const path = resolve(cwd, token.includes('=') && token.startsWith('--') ? token.slice(token.indexOf('=') + 1) : token);
    if (!token.startsWith('--') || token.includes('=')) {
      if (!skip.has(path) && existsSync(path)) inputs[path] = currentHash(path);
    }
  }
  for (const dir of [cwd, kernelRoot].filter(Boolean)) {
    for (const name of CONFIG_NAMES) inputs[join(dir!, name)] = currentHash(join(dir!, name));
  }
  return inputs;
}

/** Keeps this run's report for the same command on the same input. */
export function store(argv: string[], inputs: Inputs, output: string, exitCode: number, outputFile: string | undefined, cwd = process.cwd()): void {
  const file = cacheFile(argv, cwd);
  if (!file) return;
  const data = readCache(file) ?? { kvmRulesCache: 1, entries: {} };
  data.entries[keyOf(argv, cwd)] = { inputs, output, exitCode, ...(outputFile ? { outputFile: resolve(cwd, outputFile) } : {}) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data)}\n`);
}
