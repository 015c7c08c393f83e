import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyResolved } from './copy-resolved.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A folder shaped like a fixture: `tree/virt` a symlink to a shared `generic/virt`. */
function treeWithSharedVirt(): { root: string; tree: string; shared: string } {
  const root = mkdtempSync(join(tmpdir(), 'kvm-rules-copy-'));
  dirs.push(root);
  const shared = join(root, 'generic/virt/kvm/kvm_main.c');
  mkdirSync(join(root, 'generic/virt/kvm'), { recursive: true });
  writeFileSync(shared, 'int kvm_init(void);\n');
  mkdirSync(join(root, 'tree/arch'), { recursive: true });
  writeFileSync(join(root, 'tree/Makefile'), 'VERSION = 6\n');
  symlinkSync('../generic/virt', join(root, 'tree/virt'));
  return { root, tree: join(root, 'tree'), shared };
}

describe('copyResolved', () => {
  it('copies a symlinked folder inside the folder as a folder: an edit of the copy leaves the original as it was', () => {
    const { root, tree, shared } = treeWithSharedVirt();
    const copy = join(root, 'copy');
    copyResolved(tree, copy);
    expect(lstatSync(join(copy, 'virt')).isDirectory()).toBe(true);
    writeFileSync(join(copy, 'virt/kvm/kvm_main.c'), 'edited\n');
    expect(readFileSync(shared, 'utf8')).toBe('int kvm_init(void);\n');
    expect(readFileSync(join(copy, 'Makefile'), 'utf8')).toBe('VERSION = 6\n');
    expect(existsSync(join(copy, 'arch'))).toBe(true);
  });

  it('copies a symlink to a file as a file', () => {
    const { root, tree, shared } = treeWithSharedVirt();
    symlinkSync(shared, join(tree, 'linked.c'));
    copyResolved(join(tree, 'linked.c'), join(root, 'out/linked.c'));
    expect(lstatSync(join(root, 'out/linked.c')).isFile()).toBe(true);
  });

  it('leaves out a dangling symlink and a loop back into a folder being copied, and ends', () => {
    const { root, tree } = treeWithSharedVirt();
    symlinkSync('nowhere.c', join(tree, 'dangling.c'));
    symlinkSync('..', join(tree, 'arch/up'));
    const copy = join(root, 'copy');
    copyResolved(tree, copy);
    expect(existsSync(join(copy, 'dangling.c'))).toBe(false);
    expect(existsSync(join(copy, 'arch/up'))).toBe(false);
    expect(existsSync(join(copy, 'virt/kvm/kvm_main.c'))).toBe(true);
  });
});
