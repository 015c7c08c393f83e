import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Paths in messages and findings: relative to the working directory, with forward slashes. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  const shown = rel === '' || rel.startsWith('..') ? path : rel;
  return shown.split(sep).join('/');
}

/** The YAML files of a folder, sorted so that loading order never depends on the file system. */
export function dataFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}
