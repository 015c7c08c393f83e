// Writing the package: into a folder that is new or empty, never over someone's files.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { displayPath, InputError } from '@kvm-rules/core';

/** A file of the package: its path inside the package (with "/") and its text. */
export type PackageFile = readonly [path: string, text: string];

export function checkOutDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new InputError(`--out: ${displayPath(dir)} is a file, not a folder`);
  if (readdirSync(dir).length > 0) throw new InputError(`--out: ${displayPath(dir)} is not empty; give a new or empty folder`);
}

export function writePackage(dir: string, files: readonly PackageFile[]): void {
  for (const [path, text] of files) {
    const file = join(dir, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}
