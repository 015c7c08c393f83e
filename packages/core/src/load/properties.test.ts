// Property-based checks of the loaders (fast-check): every shipped plugin manifest and profile,
// edited the way a hand edit or a bad merge does (a value of another type, a key gone, an
// unknown key, an entry repeated or moved), loads or is refused with an InputError that names
// the file, a line and a column. Never another exception, never a refusal without a place.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as load, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { InputError } from './input-error.js';
import { readPluginText, readProfileText } from './load.js';

const root = join(import.meta.dirname, '../../..');
const manifests = readdirSync(join(root, 'plugins')).map((arch) => join(root, 'plugins', arch, 'plugin.yaml'));
const profiles = readdirSync(join(root, 'core/profiles')).map((name) => join(root, 'core/profiles', name));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every place in a document a value sits at (the root excluded): where an edit can land. */
function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, child] of entries) {
    out.push([...at, key]);
    pathsOf(child, [...at, key], out);
  }
  return out;
}

const EDITS = ['replace', 'delete', 'unknown-key', 'repeat', 'move', 'empty-string', 'misspell'] as const;
interface Edit {
  edit: (typeof EDITS)[number];
  target: number;
  value: Json;
}

const edits = fc.array(fc.record({ edit: fc.constantFrom(...EDITS), target: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }), {
  minLength: 1,
  maxLength: 4,
});

/** The document with one edit applied at the `target`-th place (modulo their number). */
function applyEdit(doc: Json, { edit, target, value }: Edit): Json {
  const copy = structuredClone(doc);
  const paths = pathsOf(copy);
  if (paths.length === 0) return value;
  const path = paths[target % paths.length]!;
  const parent = path.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key]!, copy) as Record<string | number, Json>;
  const key = path[path.length - 1]!;
  const list = Array.isArray(parent) ? (parent as Json[]) : undefined;
  switch (edit) {
    case 'replace':
      parent[key] = value;
      break;
    case 'delete':
      if (list) list.splice(key as number, 1);
      else Reflect.deleteProperty(parent, key);
      break;
    case 'unknown-key':
      if (parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, Json>)['x-unknown'] = value;
      else if (!list) parent[`${String(key)}s`] = value;
      break;
    case 'repeat':
      if (list) list.splice(key as number, 0, structuredClone(list[key as number]!));
      break;
    case 'move':
      if (list && list.length > 1) list.push(list.splice(key as number, 1)[0]!);
      break;
    case 'empty-string':
      if (typeof parent[key] === 'string') parent[key] = '';
      break;
    case 'misspell':
      if (typeof parent[key] === 'string') parent[key] = `${parent[key]}x`;
      break;
  }
  return copy;
}

/** Loads `text` with `read`: fine, or an InputError placed in the file (what the CLI prints as one line, exit 2). */
function loadsOrIsPlaced(read: (text: string, name: string) => unknown, text: string, name: string): void {
  try {
    read(text, name);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.place?.file, error.message).toBe(name);
    expect(error.place?.line, error.message).toBeGreaterThan(0);
    expect(error.place?.column, error.message).toBeGreaterThan(0);
    expect(error.message).not.toContain('\n');
  }
}

function editedDocuments(files: string[], read: (text: string, name: string) => unknown): void {
  for (const file of files) {
    const name = file.slice(root.length + 1);
    const doc = load(readFileSync(file, 'utf8')) as Json;
    fc.assert(
      fc.property(edits, (list) => {
        const edited = list.reduce(applyEdit, doc);
        loadsOrIsPlaced(read, stringify(edited, { aliasDuplicateObjects: false, lineWidth: 0 }), name);
      }),
      { numRuns: 60, seed: 1 },
    );
  }
}

describe('hand-edited inputs load or are refused with a place', () => {
  it('every shipped plugin manifest', () => {
    editedDocuments(manifests, readPluginText);
  });
  it('every shipped profile', () => {
    editedDocuments(profiles, readProfileText);
  });

  it('any text at all, as a plugin manifest', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        loadsOrIsPlaced(readPluginText, text, 'plugins/any/plugin.yaml');
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});
