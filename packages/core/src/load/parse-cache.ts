// Parses kept by the text's hash in the user's cache directory: a cold `kvm-rules check` spends
// most of its time parsing the same YAML (the built-in plugins, rules and profiles) with code
// not yet compiled, where reading the kept result is one JSON.parse. Content-addressed, so a
// kept parse is never stale; anything that goes wrong with the cache is no error: the text is
// parsed again. KVM_RULES_PARSE_CACHE=0 turns it off; XDG_CACHE_HOME moves it.
//
// An entry also keeps the schema checks its text has passed (a schema's hash and the part of
// the file checked): whether a text passes a schema never changes, and checking a plugin
// against its schema compiles a validator of 160 KB that a run then does not need.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ParsedText } from './yaml-source.js';

/** Bumped when the parse or its table changes: older entries are then not read. */
const FORMAT = 3;
/** Entries kept at most; past it by a slack, the least recently used go down to it. */
const MAX_ENTRIES = 512;
const SLACK = 64;

export function parseCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KVM_RULES_PARSE_CACHE === '0') return undefined;
  // XDG: an empty XDG_CACHE_HOME is no XDG_CACHE_HOME.
  const cacheHome = env.XDG_CACHE_HOME;
  return join(cacheHome !== undefined && cacheHome !== '' ? cacheHome : join(homedir(), '.cache'), 'kvm-rules', `parsed-v${FORMAT}`);
}

/** The schema checks a text is known to pass, by key (see validate.ts), and the way to note one more. */
export interface SchemaPasses {
  has(key: string): boolean;
  add(key: string): void;
}

/** What an entry holds: the parse, and the checks its text passed. */
interface Entry extends ParsedText {
  passed: string[];
}

/**
 * The kept parse of `text`, else `parse()`'s, kept for next time when it is plain JSON data;
 * with the schema checks the text passed, when it can be kept.
 */
export function keptParse(text: string, parse: () => ParsedText): ParsedText & { passes?: SchemaPasses } {
  const dir = parseCacheDir();
  if (dir === undefined) return parse();
  const file = join(dir, `${createHash('sha256').update(text).digest('hex')}.json`);
  const kept = readKept(file);
  if (kept) {
    markUsed(file);
    return { data: kept.data, places: kept.places, passes: passesOf(dir, file, kept) };
  }
  const parsed = parse();
  if (!isPlainData(parsed.data)) return parsed;
  const entry: Entry = { ...parsed, passed: [] };
  keep(dir, file, entry);
  return { ...parsed, passes: passesOf(dir, file, entry) };
}

/** A pass noted is written at once (the entry whole again): a check passes once per text and schema, ever. */
function passesOf(dir: string, file: string, entry: Entry): SchemaPasses {
  return {
    has: (key) => entry.passed.includes(key),
    add: (key) => {
      if (entry.passed.includes(key)) return;
      entry.passed.push(key);
      keep(dir, file, entry);
    },
  };
}

function readKept(file: string): Entry | undefined {
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<Entry>;
    if (!kept.places || typeof kept.places !== 'object' || !Array.isArray(kept.places[''])) return undefined;
    const passed = Array.isArray(kept.passed) ? kept.passed.filter((key) => typeof key === 'string') : [];
    return { data: kept.data, places: kept.places, passed };
  } catch {
    return undefined;
  }
}

function keep(dir: string, file: string, entry: Entry): void {
  try {
    mkdirSync(dir, { recursive: true });
    // Written whole, then renamed: a run reading at the same time sees all of it or nothing.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(entry));
    renameSync(temp, file);
    prune(dir);
  } catch {
    // A cache directory that cannot be written only means the next run parses again.
  }
}

/** A used entry is the newest: many new texts (a fuzz run) push out the unused ones, not the built-in files read on every run. */
function markUsed(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Only its place in the pruning order is lost.
  }
}

/** Pruning looks at every entry: it runs only once the slack is used up, not on every write. */
function prune(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES + SLACK) return;
  const byAge = names.map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
  for (const { name } of byAge.slice(0, names.length - MAX_ENTRIES)) rmSync(join(dir, name), { force: true });
}

/** Whether JSON gives `value` back as it is: no Date, no NaN or infinity, no -0, no `__proto__` key. */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, item]) => key !== '__proto__' && isPlainData(item));
}
