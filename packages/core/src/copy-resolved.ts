import { copyFileSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Copies a file, or a folder with all it holds, following symlinks: the copy is made of plain
 * files and folders, with no link back into the original, so that writing in the copy (a
 * review's patches, a test's edits) never writes the original. Node's own cpSync with
 * `dereference: true` keeps a symlink found inside a folder as a symlink on Node 22.17 and
 * later (nodejs/node#59168), hence this. Only regular files and folders are copied: a FIFO, a
 * device or a dangling symlink is left out (copying a FIFO would wait for a writer), and so is a
 * folder that a symlink leads back into while it is being copied (a loop).
 */
export function copyResolved(from: string, to: string): void {
  copyEntry(from, to, new Set());
}

function copyEntry(from: string, to: string, copying: Set<string>): void {
  const stat = statOrUndefined(from);
  if (stat?.isFile()) {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  } else if (stat?.isDirectory()) {
    const id = `${stat.dev}:${stat.ino}`;
    if (copying.has(id)) return;
    copying.add(id);
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from).sort()) copyEntry(join(from, name), join(to, name), copying);
    copying.delete(id);
  }
}

/** What `path` is, symlinks followed; undefined for a dangling symlink or nothing at all. */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
