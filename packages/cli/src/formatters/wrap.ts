// Text fitted to a width (a terminal's columns, or 80): words filled into lines, continuation
// lines indented, each word's color kept. A word is never cut: one wider than a line (a long
// path) gets a line of its own and is wider than the width.

/** The default width when stdout is not a terminal and --max-width is not given. */
export const DEFAULT_WIDTH = 80;

const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The columns a string may take on a terminal, ANSI color sequences not counted: its length in
 * UTF-8 bytes, never less than its width (a code point takes one or two columns, and one of two
 * columns is 3 or 4 bytes). So a line fits a terminal, and byte-counting tools (mawk, cut -b)
 * agree; a line with an arrow (3 bytes) ends two columns early.
 */
export const columns = (text: string): number => Buffer.byteLength(text.replace(ANSI, ''), 'utf8');

/**
 * A text's code points: what a report counts as its characters, one column each. The characters
 * of a report (paths, C names, arrows) are narrow and none combines, so no grapheme is split.
 */
export const codePoints = (text: string): string[] => Array.from(text);

/** Spaces up to where `text` ends on a terminal (its code points: the characters here are narrow), to align a line under what follows it. */
export const spacesUnder = (text: string): string => ' '.repeat(codePoints(text.replace(ANSI, '')).length);

export type Paint = (text: string) => string;

export interface Word {
  text: string;
  /** The spaces before it, kept when it stays on the line of the word before. */
  space: string;
  paint?: Paint;
  /**
   * Does not start a line: it moves down with the word before it; "always", even when the two are
   * wider than a line, "if-they-fit" only when they fit on one.
   */
  glued?: 'always' | 'if-they-fit';
}

/**
 * The words of `text`, split at runs of spaces (which are kept between words that stay on one
 * line); the first word has one space before it, for words that follow other words.
 */
export function words(text: string, paint?: Paint): Word[] {
  const parts = text.split(/( +)/);
  const list: Word[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i] === '') continue;
    list.push({ text: parts[i]!, space: i === 0 ? ' ' : parts[i - 1]!, ...(paint ? { paint } : {}) });
  }
  return list;
}

/** Adjacent words of one paint are painted together, with the spaces between them. */
function render(line: Word[]): string {
  let out = '';
  let run = '';
  let paint: Paint | undefined;
  line.forEach((word, i) => {
    const space = i === 0 ? '' : word.space;
    if (i > 0 && word.paint === paint) {
      run += space + word.text;
      return;
    }
    out += paint ? paint(run) : run;
    out += space;
    run = word.text;
    paint = word.paint;
  });
  return out + (paint ? paint(run) : run);
}

/**
 * Fills words into lines no wider than `width` columns: the first line after `first`, the
 * others after `rest` (both counted, ANSI colors not). A word is never cut: one that does not
 * fit after `first` starts the next line when `rest` is shorter, else it makes its line wider.
 * `width` 0 (or Infinity) fills everything into one line.
 */
export function fill(list: Word[], first: string, rest: string, width: number): string[] {
  const limit = width > 0 ? width : Infinity;
  const unitColumns = (unit: Word[]) => unit.reduce((sum, word, i) => sum + (i === 0 ? 0 : columns(word.space)) + columns(word.text), 0);
  // Glued words travel with the word before them: the units a line is filled with.
  const units: Word[][] = [];
  for (const word of list) {
    const last = units[units.length - 1];
    const fits = (unit: Word[]) => unitColumns([...unit, word]) <= limit - columns(rest);
    if (last && (word.glued === 'always' || (word.glued === 'if-they-fit' && fits(last)))) last.push(word);
    else units.push([word]);
  }
  const lines: string[] = [];
  let prefix = first;
  let line: Word[] = [];
  let used = columns(first);
  for (const unit of units) {
    const needed = (line.length === 0 ? 0 : columns(unit[0]!.space)) + unitColumns(unit);
    const roomBelow = line.length === 0 && lines.length === 0 && columns(rest) < columns(first);
    if ((line.length > 0 || roomBelow) && used + needed > limit) {
      lines.push(prefix + render(line));
      prefix = rest;
      line = [];
      used = columns(rest);
      line.push(...unit);
      used += unitColumns(unit);
      continue;
    }
    line.push(...unit);
    used += needed;
  }
  lines.push(prefix + render(line));
  return lines.map((text) => text.trimEnd());
}

/**
 * A line of plain text fitted to `width`: its leading spaces kept, continuation lines indented
 * `hang` more than it.
 */
export function wrapLine(line: string, width: number, hang: number): string[] {
  const indent = line.slice(0, line.search(/[^ ]|$/));
  return fill(words(line.slice(indent.length)), indent, indent + ' '.repeat(hang), width);
}
