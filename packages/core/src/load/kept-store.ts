// A folder of results kept between runs in the user's cache directory, each a JSON file named by
// a hash of everything it was made from: content-addressed, so an entry is never stale, and
// anything that goes wrong with one (missing, broken, not writable) only means making the result
// again. The parse cache (YAML) and kernel-source's kept C files are its two users.
// KVM_RULES_PARSE_CACHE=0 turns every store off; XDG_CACHE_HOME moves them.
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The folder of the store `name` ("parsed-v3"), or undefined when kept results are turned off. */
export function keptDir(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KVM_RULES_PARSE_CACHE === '0') return undefined;
  // XDG: an empty XDG_CACHE_HOME is no XDG_CACHE_HOME.
  const cacheHome = env.XDG_CACHE_HOME;
  return join(cacheHome !== undefined && cacheHome !== '' ? cacheHome : join(homedir(), '.cache'), 'kvm-rules', name);
}

export class KeptStore {
  private constructor(
    readonly dir: string,
    /** Entries kept at most; past it by a slack, the least recently used go down to it. */
    private readonly maxEntries: number,
  ) {}

  /** The store `name` with room for `maxEntries`, or undefined when kept results are turned off. */
  static open(name: string, maxEntries: number, env: NodeJS.ProcessEnv = process.env): KeptStore | undefined {
    const dir = keptDir(name, env);
    return dir === undefined ? undefined : new KeptStore(dir, maxEntries);
  }

  /** The entry kept under `key` (a hex hash), as JSON data; undefined when there is none or it is not JSON. */
  read(key: string): unknown {
    const file = this.fileOf(key);
    let data: unknown;
    try {
      data = JSON.parse(readRegular(file));
    } catch {
      return undefined;
    }
    markUsed(file);
    return data;
  }

  /** Keeps `value` under `key`, written whole then renamed: a run reading at the same time sees all of it or nothing. */
  write(key: string, value: unknown): void {
    const file = this.fileOf(key);
    try {
      mkdirSync(this.dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(value));
      renameSync(temp, file);
      this.prune();
    } catch {
      // A cache directory that cannot be written only means the next run makes it again.
    }
  }

  private fileOf(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** Pruning looks at every entry: it runs only once the slack (an eighth) is used up, not on every write. */
  private prune(): void {
    const names = readdirSync(this.dir);
    if (names.length <= this.maxEntries + (this.maxEntries >> 3)) return;
    const byAge = names.map((name) => ({ name, mtime: statSync(join(this.dir, name)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
    for (const { name } of byAge.slice(0, names.length - this.maxEntries)) rmSync(join(this.dir, name), { force: true });
  }
}

/**
 * A regular file's text; anything else at that name (a FIFO, a device, a folder) throws without
 * being read: a FIFO would wait for a writer forever. O_NONBLOCK, so that opening one does not.
 */
function readRegular(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error(`${file} is not a regular file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** A used entry is the newest: many new texts (a fuzz run) push out the unused ones, not those read on every run. */
function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Only its place in the pruning order is lost.
  }
}
