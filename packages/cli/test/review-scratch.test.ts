// The scratch tree a review applies patches to: a copy that never leads back into the tree it
// was copied from, whatever symlinks that tree holds. The C is our own, in the kernel's style.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, assert, describe, expect, it } from 'vitest';
import { applyPatch, copyInto } from '../src/review/scratch.js';
import { readSeries } from '../src/review/series.js';

const SHARED = ['static int demo_count;', '', 'void demo_count_init(void)', '{', '\tdemo_count = 0;', '}', ''].join('\n');

const MAIL = [
  'From 1234567890abcdef1234567890abcdef12345678 Mon Sep 17 00:00:00 2001',
  'From: Jane Hacker <jane@example.org>',
  'Subject: [PATCH] KVM: demo: count from one',
  '',
  '---',
  'diff --git a/arch/demo/kvm/shared.c b/arch/demo/kvm/shared.c',
  '--- a/arch/demo/kvm/shared.c',
  '+++ b/arch/demo/kvm/shared.c',
  '@@ -2,5 +2,5 @@ static int demo_count;',
  ' ',
  ' void demo_count_init(void)',
  ' {',
  '-\tdemo_count = 0;',
  '+\tdemo_count = 1;',
  ' }',
  '',
].join('\n');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the scratch tree', () => {
  it('holds a copy of a file the tree links to from inside a copied folder: the patch edits the copy, never the file linked to', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kvm-rules-scratch-'));
    dirs.push(root);
    const kernel = join(root, 'linux');
    const shared = join(root, 'shared/shared.c');
    mkdirSync(join(root, 'shared'));
    writeFileSync(shared, SHARED);
    mkdirSync(join(kernel, 'arch/demo/kvm'), { recursive: true });
    symlinkSync('../../../../shared/shared.c', join(kernel, 'arch/demo/kvm/shared.c'));
    writeFileSync(join(root, 'series.mbox'), MAIL);
    const [patch] = (await readSeries(join(root, 'series.mbox'), undefined)).patches;
    assert(patch, 'the mail holds one patch');

    const scratch = join(root, 'scratch');
    expect(copyInto(kernel, scratch, ['arch/demo/kvm'])).toEqual(['arch/demo/kvm']);
    expect(lstatSync(join(scratch, 'arch/demo/kvm/shared.c')).isFile()).toBe(true);
    applyPatch(scratch, patch, kernel);

    expect(readFileSync(join(scratch, 'arch/demo/kvm/shared.c'), 'utf8')).toContain('demo_count = 1;');
    expect(readFileSync(shared, 'utf8')).toBe(SHARED);
  });
});
