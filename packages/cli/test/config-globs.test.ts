// An ignore's file glob that minimatch cannot use, or that is far too long, is bad input at its
// place: one line, exit 2, never a stack overflow in the middle of a run.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

function configWith(glob: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kvm-rules-glob-')), 'kvm-rules.config.yaml');
  writeFileSync(file, `ignores:\n  - file: "${glob}"\n    reason: a glob written for this test\n`);
  return file;
}

describe('ignore globs', () => {
  it('extglobs nested too deep: one line at the glob, exit 2', async () => {
    const file = configWith(`${'+('.repeat(1000)}a${')'.repeat(1000)}`);
    const { code, stderr } = await run('check', '--profile', 'v6.12', '--config', file);
    expect(code).toBe(2);
    expect(stderr).toBe(`kvm-rules: ${file}:2:11: /ignores/0/file: a glob kvm-rules cannot use: pattern has too many extglobs\n`);
  });

  it('over 4,096 characters: refused by the schema at the glob', async () => {
    const file = configWith('a'.repeat(5000));
    const { code, stderr } = await run('check', '--profile', 'v6.12', '--config', file);
    expect(code).toBe(2);
    expect(stderr).toBe(`kvm-rules: ${file}:2:11: /ignores/0/file: must NOT have more than 4096 characters\n`);
  });

  it('a usual glob still works', async () => {
    const { code, stderr } = await run('check', '--profile', 'v6.12', '--config', configWith('packages/plugins/**'));
    expect(stderr).toBe('');
    expect(code).toBeLessThan(2);
  });
});
