// What a check of a kernel tree read, from its `inputs`: the files, and the folders it listed.
// A copy of a tree (a git revision for --changed-since, the scratch tree of `review`) must hold
// all of it, headers included, or its check would differ from the tree's for that alone.
import { relative, sep } from 'node:path';

/** What a check read, tree-relative: files, and folders it listed (whose C files it may read). */
export interface ReadSet {
  files: Set<string>;
  dirs: string[];
}

/** A check's `inputs` (absolute paths; a folder's value starts with "dir"), relative to the tree at `root`. */
export function readSetOf(inputs: Record<string, string>, root: string): ReadSet {
  const files = new Set<string>();
  const dirs: string[] = [];
  for (const [path, value] of Object.entries(inputs)) {
    const rel = relative(root, path).split(sep).join('/');
    if (rel.startsWith('..')) continue;
    if (value.startsWith('dir')) dirs.push(rel.replace(/\/?$/, '/'));
    else files.add(rel);
  }
  return { files, dirs };
}

/** Whether kvm-rules reads this tree-relative path: a file a check read, or a C file in a folder it listed. */
export function isRead(path: string, read: ReadSet): boolean {
  return read.files.has(path) || (/\.[ch]$/.test(path) && read.dirs.some((dir) => path.startsWith(dir)));
}
