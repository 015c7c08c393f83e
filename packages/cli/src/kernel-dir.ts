// The kernel tree the working directory is in, found as git finds its repository: from the
// directory up to the root, the first one that has what a Linux tree has at its top.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What marks a Linux tree's top directory (the same files `--kernel` asks for). */
function isKernelTop(dir: string): boolean {
  const isFile = (path: string) => existsSync(path) && statSync(path).isFile();
  return isFile(join(dir, 'Makefile')) && isFile(join(dir, 'virt/kvm/kvm_main.c')) && existsSync(join(dir, 'arch'));
}

/** The Linux tree that `cwd` is in (its top directory), or undefined outside any. */
export function kernelTreeAround(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isKernelTop(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Standing in a kernel tree, that tree is the one read, as if it were given with --kernel (and
 * its root is where a configuration is looked for, as data only).
 */
export function withTreeAround<T extends { kernel?: string | undefined }>(options: T, cwd = process.cwd()): T {
  if (options.kernel !== undefined) return options;
  const around = kernelTreeAround(cwd);
  return around === undefined ? options : { ...options, kernel: around };
}
