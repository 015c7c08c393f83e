// A kept entry is the JSON written; anything else (missing, broken) reads as nothing; past its
// room and slack a store drops the entries least recently used, never one just read.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, describe, expect, it } from 'vitest';
import { KeptStore, keptDir } from './kept-store.js';

function storeIn(maxEntries: number): KeptStore {
  const store = KeptStore.open('test-v1', maxEntries, { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'kvm-rules-kept-store-')) });
  assert(store, 'kept results are on');
  return store;
}

describe('KeptStore', () => {
  it('reads back what it kept; a missing or broken entry is nothing', () => {
    const store = storeIn(8);
    store.write('a', { list: [1, 'two', null], nested: { ok: true } });
    expect(store.read('a')).toEqual({ list: [1, 'two', null], nested: { ok: true } });
    expect(store.read('b')).toBeUndefined();
    writeFileSync(join(store.dir, 'c.json'), '{"half": ');
    expect(store.read('c')).toBeUndefined();
  });

  it('never waits on an entry that is a FIFO, nor reads a folder', () => {
    const store = storeIn(8);
    store.write('a', 1);
    execFileSync('mkfifo', [join(store.dir, 'f.json')]);
    mkdirSync(join(store.dir, 'd.json'));
    expect(store.read('f')).toBeUndefined();
    expect(store.read('d')).toBeUndefined();
  });

  it('past its room and an eighth, keeps the most recently used entries', () => {
    const store = storeIn(8);
    for (let i = 0; i < 9; i++) store.write(`e${i}`, i);
    // Oldest first, a second apart: e0 the least recently used, until it is read.
    readdirSync(store.dir).forEach((name) => {
      const age = Number(/\d+/.exec(name)?.[0]);
      utimesSync(join(store.dir, name), 1000 + age, 1000 + age);
    });
    expect(store.read('e0')).toBe(0);
    store.write('e9', 9);
    expect(readdirSync(store.dir).sort()).toEqual(['e0', 'e3', 'e4', 'e5', 'e6', 'e7', 'e8', 'e9'].map((key) => `${key}.json`));
  });

  it('is nowhere when KVM_RULES_PARSE_CACHE=0; XDG_CACHE_HOME places it, an empty one does not', () => {
    expect(KeptStore.open('test-v1', 8, { KVM_RULES_PARSE_CACHE: '0' })).toBeUndefined();
    expect(keptDir('test-v1', { XDG_CACHE_HOME: '/x' })).toBe('/x/kvm-rules/test-v1');
    expect(keptDir('test-v1', { XDG_CACHE_HOME: '', HOME: '/home/u' })).toMatch(/\/\.cache\/kvm-rules\/test-v1$/);
  });
});
