// A kept parse is the parse: the same data and the same place for every pointer, from every
// built-in manifest, profile and rule file; a broken entry, a value JSON cannot carry, or the
// cache turned off all mean the text is parsed again.
// (YAML 1.2's core schema has no dates: 2001-12-14 is a string.)
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseCacheDir } from './parse-cache.js';
import { validateSource } from './validate.js';
import { partOf, parseSourceText, type SourceFile } from './yaml-source.js';

const repo = join(import.meta.dirname, '../../../..');
const builtin = [
  ...readdirSync(join(repo, 'packages/plugins')).map((arch) => join(repo, 'packages/plugins', arch, 'plugin.yaml')),
  ...readdirSync(join(repo, 'packages/core/profiles')).map((name) => join(repo, 'packages/core/profiles', name)),
  ...readdirSync(join(repo, 'rules'))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(repo, 'rules', name)),
];

/** Every pointer of the data, and each with a key (a mapping's member). */
function pointers(data: unknown, pointer = ''): [string, string | undefined][] {
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data).flatMap(([part, value]) => {
    const escaped = part.replace(/~/g, '~0').replace(/\//g, '~1');
    return [[pointer, part] as [string, string], [`${pointer}/${escaped}`, undefined] as [string, undefined], ...pointers(value, `${pointer}/${escaped}`)];
  });
}

const placesOf = (source: SourceFile) =>
  pointers(source.data).map(([pointer, key]) => `${pointer} ${key ?? ''} ${JSON.stringify(source.locate(pointer, key))}`);

beforeEach(() => {
  vi.stubEnv('XDG_CACHE_HOME', mkdtempSync(join(tmpdir(), 'kvm-rules-parse-cache-')));
  vi.stubEnv('KVM_RULES_PARSE_CACHE', undefined);
});

/** The parse cache's folder: these tests turn the cache on (one turns it off at its end). */
function cacheDir(): string {
  const dir = parseCacheDir();
  assert(dir, 'the parse cache is on');
  return dir;
}

describe('the parse cache', () => {
  it.each(builtin.map((file) => [file.slice(repo.length + 1), file]))('%s: kept, then read back with the same data and places', (_, file) => {
    const text = readFileSync(file, 'utf8');
    const fresh = parseSourceText(text, 'f.yaml');
    expect(readdirSync(cacheDir())).toHaveLength(1);
    const kept = parseSourceText(text, 'f.yaml');
    expect(kept.data).toEqual(fresh.data);
    expect(placesOf(kept)).toEqual(placesOf(fresh));
    expect(kept.locate('/no/such/pointer')).toEqual(fresh.locate('/no/such/pointer'));
  });

  it('a broken entry is parsed again (and the result is right)', () => {
    const text = 'id: demo\nlist:\n  - a\n  - b\n';
    parseSourceText(text, 'f.yaml');
    const [entry] = readdirSync(cacheDir());
    assert(entry, 'the parse was kept');
    writeFileSync(join(cacheDir(), entry), '{"data": {"id": "other"}');
    const again = parseSourceText(text, 'f.yaml');
    expect(again.data).toEqual({ id: 'demo', list: ['a', 'b'] });
    expect(again.locate('/list/1')).toEqual({ line: 4, column: 5 });
  });

  it('keeps nothing JSON would change (an infinity, a not-a-number, -0), nor anything when turned off', () => {
    parseSourceText('size: .inf\n', 'f.yaml');
    parseSourceText('size: .nan\n', 'f.yaml');
    parseSourceText('zero: -0\n', 'f.yaml');
    expect(() => readdirSync(cacheDir())).toThrow();
    vi.stubEnv('KVM_RULES_PARSE_CACHE', '0');
    expect(parseCacheDir()).toBeUndefined();
    expect(parseSourceText('id: demo\n', 'f.yaml').data).toEqual({ id: 'demo' });
  });

  describe('schema checks passed', () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false } as const;
    const other = { type: 'object', properties: { id: { type: 'string', pattern: '^x' } } } as const;
    const entry = () => JSON.parse(readFileSync(join(cacheDir(), readdirSync(cacheDir())[0]!), 'utf8')) as { passed: string[] };

    it('are kept with the text, one per schema and place, and a kept pass is not checked again', () => {
      validateSource(parseSourceText('id: demo\n', 'f.yaml'), schema);
      expect(entry().passed).toHaveLength(1);
      const again = parseSourceText('id: demo\n', 'f.yaml');
      expect(again.passes?.has(entry().passed[0]!)).toBe(true);
      validateSource(again, schema);
      expect(entry().passed).toHaveLength(1);
      // Another schema, or the same one on a part of the file, is another check.
      expect(() => validateSource(parseSourceText('id: demo\n', 'f.yaml'), other)).toThrow(/must match/);
      validateSource(partOf(parseSourceText('top: {id: demo}\n', 'g.yaml'), '/top'), schema);
      expect(readdirSync(cacheDir())).toHaveLength(2);
    });

    it('only passes are kept: a text that fails fails again, with its place', () => {
      const text = 'id: 7\n';
      expect(() => validateSource(parseSourceText(text, 'f.yaml'), schema)).toThrow(/must be a string/);
      expect(entry().passed).toEqual([]);
      expect(() => validateSource(parseSourceText(text, 'f.yaml'), schema)).toThrow(/must be a string/);
    });

    it('a pass of one schema does not let the text through another', () => {
      validateSource(parseSourceText('id: demo\n', 'f.yaml'), schema);
      expect(() => validateSource(parseSourceText('id: demo\n', 'f.yaml'), other)).toThrow(/must match/);
    });
  });
});
