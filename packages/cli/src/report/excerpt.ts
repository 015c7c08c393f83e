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

/** Reads each file once: a report's places are many, its files few. */
export class ExcerptReader {
  private readonly files = new Map<string, string[] | undefined>();

  constructor(private readonly around = 3) {}

  /** The excerpt of `path` around `line`; undefined when the file cannot be read or is shorter. */
  excerpt(path: string, line: number): Excerpt | undefined {
    const lines = this.linesOf(path);
    if (!lines || line < 1 || line > lines.length) return undefined;
    const first = Math.max(1, line - this.around);
    return { first, lines: lines.slice(first - 1, Math.min(lines.length, line + this.around)), line };
  }

  private linesOf(path: string): string[] | undefined {
    if (!this.files.has(path)) {
      let lines: string[] | undefined;
      try {
        lines = readFileSync(path, 'utf8').split(/\r?\n/);
      } catch {
        lines = undefined;
      }
      this.files.set(path, lines);
    }
    return this.files.get(path);
  }
}
