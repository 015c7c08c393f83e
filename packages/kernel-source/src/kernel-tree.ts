import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { InputError } from '@kvm-rules/core';
import { indexFile, type FileIndex } from './file-index.js';
import type { KeptFiles, KeptIndex } from './kept-files.js';
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

  private constructor(
    root: string,
    version: string,
    /** What earlier runs read in the files (kept-files.ts), and where this run's reading is kept. */
    readonly kept: KeptFiles | undefined,
  ) {
    this.root = root;
    this.version = version;
  }

  /**
   * Opens `dir` as a kernel tree; anything else is bad input (exit 2), with what is missing. The
   * Makefile and virt/kvm/kvm_main.c must be readable regular files: a tree where one is a
   * directory, a dangling symlink or a FIFO is not a tree that can be checked, one line says which and why.
   */
  static open(dir: string, kept?: KeptFiles): KernelTree {
    const root = resolve(dir);
    if (!existsSync(root)) throw new InputError(`--kernel: no such directory: ${dir}`);
    if (!statSync(root).isDirectory()) throw new InputError(`--kernel: ${dir} is a file, not a kernel tree directory`);
    const makefile = join(root, 'Makefile');
    const missing: string[] = [];
    const wrong: string[] = [];
    const read = new Map<string, Buffer>();
    for (const file of ['Makefile', 'virt/kvm/kvm_main.c']) {
      const result = readRegular(join(root, file));
      if ('bytes' in result) read.set(file, result.bytes);
      else if (result.missing) missing.push(file);
      else wrong.push(`${file} ${result.why}`);
    }
    const arch = kindOf(join(root, 'arch'));
    if (arch === undefined) missing.push('arch');
    else if (arch !== 'a directory') wrong.push(`arch is ${arch}, not a directory`);
    const makefileBytes = read.get('Makefile');
    if (missing.length > 0 || wrong.length > 0 || !makefileBytes) {
      const why = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...wrong].join('; ');
      throw new InputError(`--kernel: ${dir} is not a Linux kernel tree (${why})`);
    }
    const tree = new KernelTree(root, kernelVersion(makefileBytes.toString('utf8'), dir), kept);
    tree.inputs[makefile] = createHash('sha256').update(makefileBytes).digest('hex');
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
    // The bytes are hashed and decoded before the next file is read: one buffer serves them all.
    const result = readRegular(join(this.root, file), sourceBuffer);
    if (!('bytes' in result)) {
      this.diagnose({ file, line: 1, column: 1 }, `${file} ${result.why}`, 'error');
      return EMPTY(file);
    }
    const bytes = result.bytes;
    this.filesRead++;
    const hash = createHash('sha256').update(bytes).digest('hex');
    this.inputs[join(this.root, file)] = hash;
    if (!isUtf8(bytes)) {
      const line = firstBadLine(bytes);
      this.diagnose({ file, line, column: 1 }, `${file} is not UTF-8 text (first bad byte on line ${line})`, 'error');
      return EMPTY(file);
    }
    const text = bytes.toString('utf8');
    const kept = this.kept?.index(file, hash);
    if (kept) return withText(kept, text);
    const index = indexFile(file, text);
    this.kept?.addIndex(file, hash, withoutText(index));
    return index;
  }

  /** The SHA-256 of a file's bytes, once index() has read it. */
  hashOf(file: string): string | undefined {
    return this.inputs[join(this.root, file)];
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
    this.inputs[full] = `${recursive ? 'dirr' : 'dir'}:${createHash('sha256')
      .update([...entries].sort().join('\n'))
      .digest('hex')}`;
    return entries
      .filter((name) => name.endsWith('.c'))
      .map((name) => relative(this.root, join(full, name)).split('\\').join('/'))
      .sort();
  }

  /** A text file of the tree (a Makefile, a Kconfig), read once and kept as an input; undefined when missing. */
  readText(file: string): string | undefined {
    if (this.texts.has(file)) return this.texts.get(file);
    let text: string | undefined;
    // Hashed and decoded before the next read, as a source file is: the same buffer serves.
    const result = readRegular(join(this.root, file), sourceBuffer);
    if ('bytes' in result) {
      this.inputs[join(this.root, file)] = createHash('sha256').update(result.bytes).digest('hex');
      text = result.bytes.toString('utf8');
    } else if (!result.missing) {
      // There but not readable (a directory, a FIFO): what it would have said is unknown.
      this.diagnose({ file, line: 1, column: 1 }, `${file} ${result.why}`, 'warning');
    }
    this.texts.set(file, text);
    return text;
  }

  private readonly texts = new Map<string, string | undefined>();

  exists(file: string): boolean {
    return existsSync(join(this.root, file));
  }
}

/** An index to keep: the text is the file's own, read again with it. */
function withoutText({ file, functions, variables, tables, moduleInits, moduleExits }: FileIndex): KeptIndex {
  return { file, functions, variables, tables, moduleInits, moduleExits };
}

/** A kept index with its text, as indexFile() makes it. */
function withText({ file, functions, variables, tables, moduleInits, moduleExits }: KeptIndex, text: string): FileIndex {
  return { file, text, functions, variables, tables, moduleInits, moduleExits };
}

/** Far above any kernel source file (the largest are a few MB of generated tables): a bigger one is not read. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/** Why a path is not read: `missing` when there is nothing at all, else a phrase to follow the file name. */
interface NotRead {
  missing: boolean;
  why: string;
}

/** What is at `path` (symlinks followed), as a phrase: "a directory", "a FIFO"; undefined when nothing is. */
function kindOf(path: string): string | undefined {
  try {
    return describe(statSync(path));
  } catch {
    return undefined;
  }
}

function describe(stat: Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * A buffer that one file after another is read into, for a reader that is done with the bytes
 * before it reads the next file. A fresh buffer per file (a few hundred of them, 6 MB for a
 * whole-tree check) cost a page fault per 4 KB, most of the time reading took.
 */
class ReadBuffer {
  private buffer: Buffer = Buffer.allocUnsafe(0);

  /** A buffer of at least `size` bytes (at most the limit and a byte), kept for the next read. */
  atLeast(size: number): Buffer {
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafe(Math.min(Math.max(size, 2 * this.buffer.length), MAX_SOURCE_BYTES + 1));
    return this.buffer;
  }

  /** Keeps a buffer that grew during a read. */
  keep(buffer: Buffer): void {
    this.buffer = buffer;
  }
}

const sourceBuffer = new ReadBuffer();

/**
 * The bytes of the regular file at `path` (symlinks followed), at most MAX_SOURCE_BYTES, or why
 * not. Anything but a regular file is never opened: a FIFO would block forever, /dev/zero never
 * ends. With `into`, the bytes are in that shared buffer, valid until its next read.
 */
function readRegular(path: string, into?: ReadBuffer): { bytes: Buffer } | NotRead {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') return { missing: false, why: `cannot be read (${errorCode(error)})` };
    let link = false;
    try {
      link = lstatSync(path).isSymbolicLink();
    } catch {
      // Nothing there at all.
    }
    return link ? { missing: false, why: 'is a dangling symlink' } : { missing: true, why: 'is missing' };
  }
  if (!stat.isFile()) return { missing: false, why: `is ${describe(stat)}, not a regular file` };
  if (stat.size > MAX_SOURCE_BYTES) return tooLarge();
  let fd: number;
  try {
    // O_NONBLOCK: should the file have become a FIFO since the stat, the open does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { missing: false, why: `cannot be read (${errorCode(error)})` };
  }
  try {
    const now = fstatSync(fd);
    if (!now.isFile()) return { missing: false, why: `is ${describe(now)}, not a regular file` };
    // Read to the end, but never past the limit, whatever the size said: a file may grow. A
    // buffer of at least the size the stat says and a byte more, so that the read that finds the
    // end needs no buffer of its own (a buffer per read was most of a tree read's garbage).
    const size = Math.min(now.size + 1, MAX_SOURCE_BYTES + 1);
    let buffer: Buffer = into ? into.atLeast(size) : Buffer.allocUnsafe(size);
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        buffer = grown(buffer);
        into?.keep(buffer);
      }
      const n = readSync(fd, buffer, total, buffer.length - total, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_SOURCE_BYTES) return tooLarge();
    }
    return { bytes: buffer.subarray(0, total) };
  } catch (error) {
    return { missing: false, why: `cannot be read (${errorCode(error)})` };
  } finally {
    closeSync(fd);
  }
}

/** A file that grew since its stat: twice the room, never past the limit and a byte. */
function grown(buffer: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(Math.min(Math.max(2 * buffer.length, 4096), MAX_SOURCE_BYTES + 1));
  buffer.copy(bigger);
  return bigger;
}

function tooLarge(): NotRead {
  return { missing: false, why: `is larger than ${MAX_SOURCE_BYTES / (1024 * 1024)} MB: not read as source` };
}

function kernelVersion(text: string, dir: string): string {
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
