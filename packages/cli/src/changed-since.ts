// --changed-since REV: the kernel tree as it was at REV, read from git objects into a temporary
// directory (the working tree is never touched), so that only findings REV did not have are
// reported: what a patch series introduces.
import { execFileSync, spawnSync } from 'node:child_process';
import { fingerprintOf, InputError, type Finding } from '@kvm-rules/core';
import { withTempDir } from './temp-dir.js';

/** What the analysis reads (git archive takes no wildcards: arch/<arch>/kvm are listed one by one); the rest stays in git. */
function kernelPaths(dir: string, tree: string): string[] {
  const archs = git(dir, ['ls-tree', '--name-only', `${tree}arch/`])
    .stdout.split('\n')
    .filter(Boolean);
  const kvm = archs.map((arch) => `arch/${arch}/kvm`).filter((path) => git(dir, ['cat-file', '-e', `${tree}${path}`]).ok);
  return ['Makefile', 'virt/kvm', ...kvm];
}

/** Those of the tree-relative `paths` (files) that `tree` has, asked of git in one call. */
function existingAt(top: string, tree: string, paths: string[]): string[] {
  if (paths.length === 0) return [];
  const wanted = new Set(paths);
  return git(top, ['ls-tree', '-r', '--name-only', tree])
    .stdout.split('\n')
    .filter((path) => wanted.has(path));
}

function git(dir: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.error) throw new InputError(`--changed-since: cannot run git: ${result.error.message}`);
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Why a run of spawnSync failed: its first line on stderr, else its error, else its exit status.
 * A command that could not start has no stderr at all (null, whatever its type says).
 */
function whyFailed(run: { stderr: Buffer | null; error?: Error; status: number | null }): string {
  return (run.stderr?.toString() ?? '').split('\n').find(Boolean) ?? run.error?.message ?? `exit ${String(run.status)}`;
}

/**
 * Runs `read` on the tree at `rev` (the part of it kvm-rules reads, and the tree-relative `also`:
 * what a check of the working tree read, which reaches past the KVM folders into headers), then
 * removes the copy.
 */
export async function atRevision<T>(dir: string, rev: string, read: (treeDir: string) => Promise<T>, also: string[] = [], who = '--changed-since'): Promise<T> {
  if (!git(dir, ['rev-parse', '--is-inside-work-tree']).ok) throw new InputError(`${who}: ${dir} is not in a git repository`);
  const commit = git(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (!commit.ok) throw new InputError(`${who}: no commit "${rev}" in the git repository of ${dir}`);
  const prefix = git(dir, ['rev-parse', '--show-prefix']).stdout.trim();
  return withTempDir('kvm-rules-rev-', async (copy) => {
    // `REV:prefix` is the kernel tree's own directory when it sits below the repository root.
    const tree = `${commit.stdout.trim()}:${prefix}`;
    if (!git(dir, ['cat-file', '-e', `${tree}virt/kvm/kvm_main.c`]).ok) {
      throw new InputError(`${who}: ${rev} has no kernel tree at ${dir} (virt/kvm/kvm_main.c is not in that commit: untracked or ignored?)`);
    }
    // From the repository's root: ls-tree and pathspecs in a subdirectory would be taken relative
    // to it, and the paths here are relative to the archived tree (`REV:prefix`).
    const top = git(dir, ['rev-parse', '--show-toplevel']).stdout.trim();
    const paths = [...kernelPaths(top, tree).filter((path) => git(top, ['cat-file', '-e', `${tree}${path}`]).ok), ...existingAt(top, tree, also)];
    const archive = spawnSync('git', ['-C', top, 'archive', '--format=tar', tree, '--', ...paths], { maxBuffer: 1 << 30 });
    if (archive.error || archive.status !== 0) {
      throw new InputError(
        `${who}: git could not archive ${rev} (${whyFailed(archive).trim()}); check that the revision's objects are in the repository (git fetch)`,
      );
    }
    execFileSync('tar', ['-x', '-C', copy], { input: archive.stdout });
    return await read(copy);
  });
}

/** The findings `before` did not have, by fingerprint and count (two equal findings where there was one: one is new). */
export function newSince(findings: Finding[], before: Finding[]): Finding[] {
  const known = new Map<string, number>();
  for (const finding of before) known.set(fingerprintOf(finding), (known.get(fingerprintOf(finding)) ?? 0) + 1);
  return findings.filter((finding) => {
    const left = known.get(fingerprintOf(finding)) ?? 0;
    if (left > 0) known.set(fingerprintOf(finding), left - 1);
    return left === 0;
  });
}
