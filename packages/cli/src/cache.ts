// --cache: a run's report kept with a fingerprint of everything it read (the kernel files and
// directory listings, the plugin, rule and profile files, a config file or its absence, the
// tool's own code), so that the same command on unchanged input prints the same report without
// loading the checker. Any byte that differs, a file that appears or goes: the run is redone.
//
// The cache file is data, never trusted: it is read only when it is a regular file under a size
// limit, used only when it matches its schema (else it is no cache, and the run is done again),
// and it keeps reports, never where to write them: the output file comes from the command line.
// Only node's own modules here, and core's precompiled validator of the cache file: a cache hit
// must not pay for loading the rest.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CacheFile } from '@kvm-rules/core';
import { readCheckLine, type CheckFlags, type CheckLine } from './command-line.js';

/** Input path → content hash ("dir:" + listing hash for a directory, "absent" for nothing there). */
export type Inputs = Record<string, string>;

const DEFAULT_LOCATION = '.kvm-rules-cache';
/** cacheSchema's $id in core. */
const CACHE_SCHEMA_ID = 'urn:kvm-rules:schema:cache';
/** A cache file larger than this is not read (nor is anything but a regular file: a FIFO, /dev/zero). */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/** The config files a run can use: any kind in the working directory, data only in the --kernel tree (see config.ts). */
const CONFIG_NAMES = ['kvm-rules.config.mjs', 'kvm-rules.config.js', 'kvm-rules.config.json', 'kvm-rules.config.yaml'];
const DATA_CONFIG_NAMES = ['kvm-rules.config.json', 'kvm-rules.config.yaml'];

export function hashOf(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The cache file of a `check --cache` line (a folder given holds kvm-rules-cache.json), or undefined without --cache. */
function cacheFileOf({ flags }: CheckLine, cwd: string): string | undefined {
  if (!flags.cache) return undefined;
  const location = resolve(cwd, flags.cacheLocation ?? DEFAULT_LOCATION);
  let isDirectory = false;
  try {
    isDirectory = statSync(location, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    // A location that cannot be looked at (a path under a file) is not a folder: writing there warns.
  }
  return isDirectory ? join(location, 'kvm-rules-cache.json') : location;
}

/**
 * Where the default cache goes when the working directory cannot hold it (a read-only checkout,
 * a tree on a read-only mount): the user's cache directory. Entries are keyed by the working
 * directory too, so one file serves every tree.
 */
export function fallbackCacheFile(): string {
  // An empty XDG_CACHE_HOME is unset, as the XDG spec reads it.
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.cache'), 'kvm-rules', 'kvm-rules-cache.json');
}

/** The files a hit is looked for in: the cache location, then, for the default one, the fallback. */
function cacheFilesOf(line: CheckLine, cwd: string): string[] {
  const file = cacheFileOf(line, cwd);
  if (!file) return [];
  return line.flags.cacheLocation === undefined ? [file, fallbackCacheFile()] : [file];
}

/**
 * How a report is drawn besides its options: colored or not, and the width stylish fits its
 * lines to (the terminal's columns). A report kept for a wide terminal is not one for a pipe.
 */
export interface Rendering {
  color: boolean;
  width?: number | undefined;
}

/** The command as the cache sees it: its tree and options but the cache's own, in the directory it ran in, drawn as it was. */
function keyOf(line: CheckLine, rendering: Rendering, cwd: string): string {
  // The cache's own options say where the report is kept, not what it is.
  const flags = Object.fromEntries(Object.entries(line.flags).filter(([name]) => name !== 'cache' && name !== 'cacheLocation'));
  return hashOf(JSON.stringify({ cwd, dir: line.dir ?? null, flags, color: rendering.color, width: rendering.width ?? null, tool: toolFingerprint() }));
}

/** The tool's own code and data: a cache entry from another build of kvm-rules never matches. */
function toolFingerprint(): string {
  const require = createRequire(import.meta.url);
  const own = JSON.parse(readFileSync(require.resolve('kvm-rules/package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const packages = ['kvm-rules', ...Object.keys(own.dependencies ?? {}).filter((name) => name.startsWith('@kvm-rules/'))];
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
function hashTree(hash: ReturnType<typeof createHash>, dir: string, shallow: boolean, seen = new Set<string>()): void {
  // A folder reached twice (a symlink to a parent) is hashed once: the walk always ends.
  const real = realPathOf(dir);
  if (real === undefined || seen.has(real)) return;
  seen.add(real);
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    const stat = statOf(path);
    if (stat?.isDirectory()) {
      if (!shallow) hashTree(hash, path, false, seen);
      continue;
    }
    // A dangling symlink, a FIFO or a device is part of the listing, never read.
    hash.update(path).update(stat?.isFile() ? readFileSync(path) : stat ? 'special' : 'absent');
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function realPathOf(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** What is at `path` now, as an input hash; a FIFO or a device is not read (it is "special"). */
export function currentHash(path: string): string {
  if (!existsSync(path)) return 'absent';
  const stat = statSync(path);
  if (!stat.isDirectory() && !stat.isFile()) return 'special';
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

type Validate = (data: unknown) => boolean;
let validateCache: Validate | undefined;

/** The cache schema's validator, compiled at build time with core's file schemas: loading it loads no ajv. */
function cacheValidator(): Validate {
  if (!validateCache) {
    const fromCore = createRequire(createRequire(import.meta.url).resolve('@kvm-rules/core/package.json'));
    const { byId } = fromCore('./dist/validators.cjs') as { byId: Map<string, Validate> };
    const found = byId.get(CACHE_SCHEMA_ID);
    if (!found) throw new Error(`core's validators have no ${CACHE_SCHEMA_ID}`);
    validateCache = found;
  }
  return validateCache;
}

/**
 * The bytes of `file` when it is a regular file of at most MAX_CACHE_BYTES, else undefined.
 * Opened without blocking and checked on the open descriptor: a FIFO never hangs the run, a
 * device is never read, and a file swapped after a check is not what gets read.
 */
function readRegularFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_CACHE_BYTES) return undefined;
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** The cache file's content when it is one, else undefined: a cache that cannot be used is no cache. */
function readCache(file: string): CacheFile | undefined {
  try {
    const bytes = readRegularFile(file);
    if (!bytes) return undefined;
    const data: unknown = JSON.parse(bytes.toString('utf8'));
    return cacheValidator()(data) ? (data as CacheFile) : undefined;
  } catch {
    // The run is done again and writes a new one.
    return undefined;
  }
}

/** The stored report of this very command, when nothing it read has changed since; never throws. */
export function cached(argv: string[], rendering: Rendering, cwd = process.cwd()): { output: string; exitCode: number; notices: string[] } | undefined {
  try {
    // Read once, with the command's own definition: every question below is asked of it.
    const line = readCheckLine(argv);
    if (!line) return undefined;
    const files = cacheFilesOf(line, cwd);
    // Without --cache, or with no cache file yet, nothing is hashed: the key costs the tool's fingerprint.
    const existing = files.filter((file) => existsSync(file));
    if (existing.length === 0) return undefined;
    const key = keyOf(line, rendering, cwd);
    const entry = existing
      .map((file) => readCache(file)?.entries)
      .map((entries) => (entries && Object.hasOwn(entries, key) ? entries[key] : undefined))
      .find((found) => found !== undefined);
    if (!entry) return undefined;
    for (const [path, recorded] of Object.entries(entry.inputs)) if (currentInput(path, recorded) !== recorded) return undefined;
    // Where the report goes is the command line's to say: the run this entry kept wrote there too.
    const { outputFile } = line.flags;
    if (outputFile !== undefined) writeRegularFile(resolve(cwd, outputFile), entry.output);
    return { output: outputFile !== undefined ? '' : entry.output, exitCode: entry.exitCode, notices: entry.notices ?? [] };
  } catch {
    // Whatever fails here (an input that cannot be read, an output file that cannot be written)
    // is for the run itself to meet and report: no hit.
    return undefined;
  }
}

/**
 * Inputs a run has besides the kernel files: every path its options name (a plugin folder or
 * manifest, a rules folder, a profile file, a baseline, a config file), and the config files
 * that could be found, or their absence.
 */
export function commandInputs(flags: CheckFlags, cwd: string, kernelRoot: string | undefined): Inputs {
  const inputs: Inputs = {};
  const named = [...flags.plugin, ...flags.rulesDir, flags.profile, flags.baseline, flags.config];
  for (const given of named) {
    if (given === undefined) continue;
    const path = resolve(cwd, given);
    if (path !== kernelRoot && existsSync(path)) inputs[path] = currentHash(path);
  }
  for (const name of CONFIG_NAMES) inputs[join(cwd, name)] = currentHash(join(cwd, name));
  if (kernelRoot) for (const name of DATA_CONFIG_NAMES) inputs[join(kernelRoot, name)] = currentHash(join(kernelRoot, name));
  return inputs;
}

/**
 * Writes `text` to `file`, created if need be, when it is a regular file: opened without blocking,
 * so that a FIFO without a reader fails at once, and checked before it is truncated, so that a
 * device (/dev/full, /dev/zero) is never written.
 */
function writeRegularFile(file: string, text: string): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    ftruncateSync(fd, 0);
    const bytes = Buffer.from(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
  } finally {
    closeSync(fd);
  }
}

/**
 * Keeps this run's report for the same command on the same input. Where it was written is not
 * kept: a hit takes the output file from its own command line. Never throws: a cache that
 * cannot be written is the returned one-line warning, and the run's exit code stays its own.
 */
export function store(
  argv: string[],
  rendering: Rendering,
  inputs: Inputs,
  run: { output: string; exitCode: number; notices: string[] },
  cwd = process.cwd(),
): string | undefined {
  const line = readCheckLine(argv);
  const file = line && cacheFileOf(line, cwd);
  if (!line || !file) return undefined;
  const entry = { [keyOf(line, rendering, cwd)]: { inputs, ...run } };
  const failed = keepIn(file, entry);
  if (failed === undefined) return undefined;
  // The default place cannot hold it (a read-only tree): the user's cache directory can.
  if (line.flags.cacheLocation === undefined && keepIn(fallbackCacheFile(), entry) === undefined) {
    return `kvm-rules: note: cannot keep the cache in ${file} (${failed}); kept in ${fallbackCacheFile()}`;
  }
  return `kvm-rules: warning: cannot keep the cache in ${file}: ${failed}`;
}

/** Adds entries to a cache file; the reason when it cannot (never throws). */
function keepIn(file: string, added: CacheFile['entries']): string | undefined {
  try {
    const data: CacheFile = readCache(file) ?? { kvmRulesCache: 1, entries: {} };
    mkdirSync(dirname(file), { recursive: true });
    writeRegularFile(file, `${JSON.stringify({ kvmRulesCache: 1, entries: { ...data.entries, ...added } })}\n`);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0];
  }
}
