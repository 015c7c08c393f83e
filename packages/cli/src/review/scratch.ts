// The scratch tree a series is applied to: a copy, in a temporary folder removed afterwards,
// of what a check of the kernel tree read (the files and folders of its `inputs`) and of every
// file the series touches, so that the working tree is never touched and every hunk of the
// series is tried. Patches go in with `git apply`, which needs no repository.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyResolved, InputError } from '@kvm-rules/core';
import { withTempDir } from '../temp-dir.js';
import type { Patch } from './patch.js';
import { titleOf } from './patch.js';

/** The tree-relative paths a patch touches (both names of a rename). */
export function touched(patch: Patch): string[] {
  return [...new Set(patch.files.flatMap((file) => [file.oldPath, file.newPath]).filter((path): path is string => path !== undefined))];
}

/** Runs `use` with the scratch tree, removed however the work ends. */
export function withScratchTree<T>(kernel: string, paths: Iterable<string>, use: (tree: string) => Promise<T>): Promise<T> {
  return withTempDir('kvm-rules-review-', async (dir) => {
    const tree = join(dir, 'linux');
    copyInto(kernel, tree, paths);
    return use(tree);
  });
}

/** Copies the tree-relative paths that exist in `kernel` (folders whole) into `tree`; returns those copied. */
export function copyInto(kernel: string, tree: string, paths: Iterable<string>): string[] {
  const copied: string[] = [];
  for (const path of paths) {
    const from = join(kernel, path);
    const to = join(tree, path);
    if (!existsSync(from) || existsSync(to)) continue;
    if (!statSync(from).isFile() && !statSync(from).isDirectory()) continue;
    copyResolved(from, to);
    copied.push(path);
  }
  return copied;
}

/**
 * Applies one patch to the scratch tree, or throws what a reviewer needs to know: the patch, the
 * file and hunk that fail, and where that hunk is in the mail.
 */
export function applyPatch(tree: string, patch: Patch, kernel: string): void {
  const run = spawnSync('git', ['apply', '--whitespace=nowarn', '-'], {
    cwd: tree,
    input: patch.diff,
    encoding: 'utf8',
    // No repository above the scratch folder is looked for: the patch applies to the folder itself.
    env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(tree) },
  });
  if (run.error) throw new InputError(`review: cannot run git apply: ${run.error.message}`);
  if (run.status === 0) return;
  throw new InputError(`review: ${label(patch)} does not apply to ${kernel}: ${whyNot(run.stderr, patch)}`);
}

/** "patch 2/4 (KVM: …)" */
export function label(patch: Patch): string {
  return `patch ${patch.index}/${patch.total} (${titleOf(patch.subject)})`;
}

/** git apply's "patch failed: FILE:LINE" as the hunk a reviewer can find in the mail. */
function whyNot(stderr: string, patch: Patch): string {
  const failed = /patch failed: (.+):(\d+)/.exec(stderr);
  if (failed) {
    const [, path, line] = failed;
    const hunk = patch.files.find((file) => file.oldPath === path || file.newPath === path)?.hunks.find((h) => h.oldStart === Number(line));
    const where = hunk?.line !== undefined ? ` (line ${hunk.line} of the mail)` : '';
    return hunk ? `${path}: the hunk ${hunk.header.replace(/ @@.*/, ' @@')}${where} does not match the tree` : `${path}:${line} does not match the tree`;
  }
  const first = stderr.split('\n').find(Boolean) ?? 'git apply failed';
  return first.replace(/^error: /, '');
}
