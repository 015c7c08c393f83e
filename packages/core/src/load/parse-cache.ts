// Parses kept by the text's hash in the user's cache directory (kept-store.ts): a cold
// `kvm-rules check` spends most of its time parsing the same YAML (the built-in plugins, rules
// and profiles) with code not yet compiled, where reading the kept result is one JSON.parse.
//
// An entry also keeps the schema checks its text has passed (a schema's hash and the part of
// the file checked): whether a text passes a schema never changes, and checking a plugin
// against its schema compiles a validator of 160 KB that a run then does not need.
import { createHash } from 'node:crypto';
import { KeptStore, keptDir } from './kept-store.js';
import type { ParsedText } from './yaml-source.js';

/** Bumped when the parse or its table changes: older entries are then not read. */
const STORE = 'parsed-v3';
/** Entries kept at most (the built-in files are a few dozen). */
const MAX_ENTRIES = 512;

export function parseCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return keptDir(STORE, env);
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
  const store = KeptStore.open(STORE, MAX_ENTRIES);
  if (!store) return parse();
  const key = createHash('sha256').update(text).digest('hex');
  const kept = entryOf(store.read(key));
  if (kept) return { data: kept.data, places: kept.places, passes: passesOf(store, key, kept) };
  const parsed = parse();
  if (!isPlainData(parsed.data)) return parsed;
  const entry: Entry = { ...parsed, passed: [] };
  store.write(key, entry);
  return { ...parsed, passes: passesOf(store, key, entry) };
}

/** A pass noted is written at once (the entry whole again): a check passes once per text and schema, ever. */
function passesOf(store: KeptStore, key: string, entry: Entry): SchemaPasses {
  return {
    has: (check) => entry.passed.includes(check),
    add: (check) => {
      if (entry.passed.includes(check)) return;
      entry.passed.push(check);
      store.write(key, entry);
    },
  };
}

/** A kept value that is a parse; undefined for anything else (a broken or foreign entry). */
function entryOf(value: unknown): Entry | undefined {
  const kept = value as Partial<Entry> | undefined;
  if (!kept?.places || typeof kept.places !== 'object' || !Array.isArray(kept.places[''])) return undefined;
  const passed = Array.isArray(kept.passed) ? kept.passed.filter((check) => typeof check === 'string') : [];
  return { data: kept.data, places: kept.places, passed };
}

/** Whether JSON gives `value` back as it is: no Date, no NaN or infinity, no -0, no `__proto__` key. */
function isPlainData(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, item]) => key !== '__proto__' && isPlainData(item));
}
