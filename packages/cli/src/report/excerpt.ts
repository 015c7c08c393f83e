// The lines around a place, read from the file the place is in (the tree, or a profile or plugin
// of this project): what a report shows under a link to it, so that it reads without the tree.
import { readFileSync } from 'node:fs';

export interface Excerpt {
  /** The first line's number. */
  first: number;
  lines: string[];
  /** The place's line (1-based). */
  line: number;
}

/** A file's lines, or undefined when it cannot be read. */
export type LinesOf = (file: string) => string[] | undefined;

/** The excerpt around `line` (`around` lines each side); undefined when the file has no such line. */
export function excerptOf(lines: string[] | undefined, line: number, around = 3): Excerpt | undefined {
  if (!lines || line < 1 || line > lines.length) return undefined;
  const first = Math.max(1, line - around);
  return { first, lines: lines.slice(first - 1, Math.min(lines.length, line + around)), line };
}

/** Lines read from disk, each file once (a report's places are many, its files few); `pathOf` turns a location's file into a path. */
export function linesOnDisk(pathOf: (file: string) => string): LinesOf {
  const files = new Map<string, string[] | undefined>();
  return (file) => {
    if (!files.has(file)) {
      let lines: string[] | undefined;
      try {
        lines = readFileSync(pathOf(file), 'utf8').split(/\r?\n/);
      } catch {
        lines = undefined;
      }
      files.set(file, lines);
    }
    return files.get(file);
  };
}
