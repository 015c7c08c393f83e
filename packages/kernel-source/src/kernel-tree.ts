import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '@kvm-rules/core';
import { indexFile, type FileIndex } from './file-index.js';
import type { Place } from './function-facts.js';

/** A problem reading the tree: a file that is not there, not UTF-8, or not parsable where it matters. */
export interface SourceDiagnostic {
  place: Place;
  message: string;
  /** An error stops the analysis of an arch; a warning leaves part of it unknown. */
  severity: 'error' | 'warning';
}

const EMPTY = (file: string): FileIndex => ({ file, text: '', functions: [], variables: [], tables: [], moduleInits: [], moduleExits: [] });

/** A Linux source tree, read lazily: each file is read and indexed once, when first needed. */
export class KernelTree {
  readonly root: string;
  /** "6.12.57", from the top-level Makefile. */
  readonly version: string;
  readonly diagnostics: SourceDiagnostic[] = [];
  private readonly indexes = new Map<string, FileIndex>();
  /** Files read, for the figures of `npm run bench`. */
  filesRead = 0;
  /**
   * Everything the reading depended on, by absolute path: a file's content hash, a directory's
   * listing ("dir:" one level, "dirr:" with subdirectories). A cache of results keys on this.
   */
  readonly inputs: Record<string, string> = {};

  private constructor(root: string, version: string) {
    this.root = root;
    this.version = version;
  }

  /** Opens `dir` as a kernel tree; anything else is bad input (exit 2), with what is missing. */
  static open(dir: string): KernelTree {
    const root = resolve(dir);
    if (!existsSync(root)) throw new InputError(`--kernel: no such directory: ${dir}`);
    if (!statSync(root).isDirectory()) throw new InputError(`--kernel: ${dir} is a file, not a kernel tree directory`);
    const makefile = join(root, 'Makefile');
    const missing = ['Makefile', 'virt/kvm/kvm_main.c', 'arch'].filter((p) => !existsSync(join(root, p)));
    if (missing.length > 0) {
      throw new InputError(`--kernel: ${dir} is not a Linux kernel tree (missing ${missing.join(', ')})`);
    }
    const tree = new KernelTree(root, kernelVersion(makefile, dir));
    tree.inputs[makefile] = createHash('sha256').update(readFileSync(makefile)).digest('hex');
    return tree;
  }

  /** The indexed file at a tree-relative path; a file that cannot be read is a diagnostic and indexes empty. */
  index(file: string): FileIndex {
    let index = this.indexes.get(file);
    if (!index) {
      index = this.read(file);
      this.indexes.set(file, index);
    }
    return index;
  }

  private read(file: string): FileIndex {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.root, file));
    } catch (error) {
      this.diagnose({ file, line: 1, column: 1 }, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'error');
      return EMPTY(file);
    }
    this.filesRead++;
    this.inputs[join(this.root, file)] = createHash('sha256').update(bytes).digest('hex');
    if (!isUtf8(bytes)) {
      const line = firstBadLine(bytes);
      this.diagnose({ file, line, column: 1 }, `${file} is not UTF-8 text (first bad byte on line ${line})`, 'error');
      return EMPTY(file);
    }
    return indexFile(file, bytes.toString('utf8'));
  }

  diagnose(place: Place, message: string, severity: SourceDiagnostic['severity']): void {
    if (this.diagnostics.some((d) => d.message === message && d.place.file === place.file && d.place.line === place.line)) return;
    this.diagnostics.push({ place, message, severity });
  }

  /** The C files under a tree-relative directory, sorted, optionally with its subdirectories. */
  cFiles(dir: string, recursive: boolean): string[] {
    const full = join(this.root, dir);
    if (!existsSync(full)) return [];
    const entries = readdirSync(full, { recursive, withFileTypes: false }) as string[];
    this.inputs[full] = `${recursive ? 'dirr' : 'dir'}:${createHash('sha256').update([...entries].sort().join('\n')).digest('hex')}`;
    return entries
      .filter((name) => name.endsWith('.c'))
      .map((name) => relative(this.root, join(full, name)).split('\\').join('/'))
      .sort();
  }

  /** A text file of the tree (a Makefile, a Kconfig), read once and kept as an input; undefined when missing. */
  readText(file: string): string | undefined {
    if (this.texts.has(file)) return this.texts.get(file);
    let text: string | undefined;
    try {
      const bytes = readFileSync(join(this.root, file));
      this.inputs[join(this.root, file)] = createHash('sha256').update(bytes).digest('hex');
      text = bytes.toString('utf8');
    } catch {
      text = undefined;
    }
    this.texts.set(file, text);
    return text;
  }

  private readonly texts = new Map<string, string | undefined>();

  exists(file: string): boolean {
    return existsSync(join(this.root, file));
  }
}

function kernelVersion(makefile: string, dir: string): string {
  const text = readFileSync(makefile, 'utf8');
  const field = (name: string) => new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(text)?.[1];
  const [version, patchlevel, sublevel] = [field('VERSION'), field('PATCHLEVEL'), field('SUBLEVEL')];
  if (!version || !patchlevel) throw new InputError(`--kernel: ${dir}/Makefile has no VERSION and PATCHLEVEL: not a Linux kernel tree`);
  return `${version}.${patchlevel}.${sublevel ?? 0}`;
}

function firstBadLine(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}
