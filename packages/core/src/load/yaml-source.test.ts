// What the YAML reader refuses, at its place, and where it says each value is.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InputError } from './input-error.js';
import { parseSourceText } from './yaml-source.js';

beforeEach(() => {
  vi.stubEnv('KVM_RULES_PARSE_CACHE', '0');
});

function refusal(text: string): string {
  try {
    parseSourceText(text, 'f.yaml');
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('not refused');
}

describe('parseSourceText', () => {
  it('refuses a duplicated key, a second document and a tag, each at its place', () => {
    expect(refusal('id: a\nsummary: b\nid: c\n')).toBe('f.yaml:3:1: duplicated mapping key');
    expect(refusal('id: a\n---\nid: b\n')).toBe('f.yaml:2:1: expected a single document in the stream, but found more');
    expect(refusal('id: !!js/function "return 1"\n')).toMatch(
      /^f\.yaml:1:5: unknown tag: tag:yaml.org,2002:js\/function: kvm-rules files are plain YAML, without tags$/,
    );
    expect(refusal('id: !custom x\n')).toMatch(/^f\.yaml:1:5: unknown tag: !custom/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    expect(() => parseSourceText(`${bomb}\n`, 'f.yaml')).toThrow(InputError);
  });

  it('places keys and values, an empty value at its key, sequence items at their values', () => {
    const source = parseSourceText('# a comment\nid: demo\nlist:\n  - a\n  - { b: 1 }\nempty:\nnext: 1\n', 'f.yaml');
    expect(source.data).toEqual({ id: 'demo', list: ['a', { b: 1 }], empty: null, next: 1 });
    expect(source.locate('')).toEqual({ line: 2, column: 1 });
    expect(source.locate('/id')).toEqual({ line: 2, column: 5 });
    expect(source.locate('', 'list')).toEqual({ line: 3, column: 1 });
    expect(source.locate('/list/1')).toEqual({ line: 5, column: 5 });
    expect(source.locate('/list/1/b')).toEqual({ line: 5, column: 10 });
    expect(source.locate('/empty')).toEqual({ line: 6, column: 1 });
    expect(source.locate('/no/such')).toEqual({ line: 2, column: 1 });
  });
});
