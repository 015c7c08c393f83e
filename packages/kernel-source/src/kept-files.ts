// What kvm-rules read in each C file, kept between runs in the user's cache directory (core's
// KeptStore): the file's index (file-index.ts), what each function it parsed says
// (function-facts.ts) and the paths of each function it read path by path (init-flow.ts), one
// entry per file, named by a hash of the file's text and of the code that read it. A check of a
// tree read before indexes and parses again only the files that changed since (a patch's), not
// the two hundred files and few hundred functions each run reaches: indexing and parsing were
// most of a whole-tree check's time, for the same answers. An entry is never stale: any change
// to the file, to kvm-rules' reading of C or to the grammar is another name; the one thing read
// from other files, whether names are pointers, is kept with the paths and checked (init-flow.ts).
// KVM_RULES_PARSE_CACHE=0 turns it off with the YAML parse cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeptStore } from '@kvm-rules/core';
import { grammarFile } from './c-parser.js';
import type { FileIndex } from './file-index.js';
import type { Facts, Place } from './function-facts.js';
import type { KeptFlow } from './init-flow.js';

/** Bumped when an entry's shape changes. */
const STORE = 'c-files-v1';
/** A check of 6.12 keeps about 220 files (3 MB): room for a few trees and their patched copies, in at most some 40 MB. */
const MAX_ENTRIES = 1024;

/** One function's reading as a parse leaves it: its facts, and where the reading stopped short. */
export interface Reading {
  facts: Facts;
  cutAt?: Place;
  tooDeepAt?: Place;
}

/** A file's index without its text, which the file itself gives. */
export type KeptIndex = Omit<FileIndex, 'text'>;

/** Where a function's reading is kept: its file, the file's text (by SHA-256), and `name:line|configuration`. */
export interface KeptKey {
  file: string;
  textHash: string;
  key: string;
}

interface FileEntry {
  key: string;
  index: KeptIndex | undefined;
  readings: Record<string, Reading>;
  /** Functions read path by path (init-flow.ts). */
  flows: Record<string, KeptFlow>;
  /** Something was added since the entry was read: save() writes it. */
  added: boolean;
}

export class KeptFiles {
  private readonly files = new Map<string, FileEntry>();

  private constructor(
    private readonly store: KeptStore,
    private readonly analyzer: string,
  ) {}

  /** The kept files, or undefined when kept results are turned off. */
  static open(): KeptFiles | undefined {
    const store = KeptStore.open(STORE, MAX_ENTRIES);
    return store && new KeptFiles(store, analyzerFingerprint());
  }

  /** The index kept for `file`, whose text has the SHA-256 `textHash`. */
  index(file: string, textHash: string): KeptIndex | undefined {
    return this.entryOf(file, textHash).index;
  }

  /** Keeps an index made now; written by save(). */
  addIndex(file: string, textHash: string, index: KeptIndex): void {
    const entry = this.entryOf(file, textHash);
    entry.index = index;
    entry.added = true;
  }

  /** The facts kept for a function. */
  reading(at: KeptKey): Reading | undefined {
    return this.entryOf(at.file, at.textHash).readings[at.key];
  }

  /** Keeps a function's facts read now; written by save(). */
  addReading(at: KeptKey, reading: Reading): void {
    this.add(at, 'readings', reading);
  }

  /** The paths kept for a function read path by path. */
  flow(at: KeptKey): KeptFlow | undefined {
    return this.entryOf(at.file, at.textHash).flows[at.key];
  }

  /** Keeps a function's paths read now; written by save(). */
  addFlow(at: KeptKey, flow: KeptFlow): void {
    this.add(at, 'flows', flow);
  }

  private add<Part extends 'readings' | 'flows'>(at: KeptKey, part: Part, value: FileEntry[Part][string]): void {
    const entry = this.entryOf(at.file, at.textHash);
    entry[part][at.key] = value;
    entry.added = true;
  }

  /** Writes the entries that got something new, each whole: what it had and what was added. */
  save(): void {
    for (const entry of this.files.values()) {
      if (!entry.added || !entry.index) continue;
      this.store.write(entry.key, { index: entry.index, readings: entry.readings, flows: entry.flows });
      entry.added = false;
    }
  }

  private entryOf(file: string, textHash: string): FileEntry {
    const id = `${file}\0${textHash}`;
    let entry = this.files.get(id);
    if (!entry) {
      const key = createHash('sha256').update(`${this.analyzer}\0${id}`).digest('hex');
      entry = { key, ...entryOf(this.store.read(key)), added: false };
      this.files.set(id, entry);
    }
    return entry;
  }
}

type Kept = Pick<FileEntry, 'index' | 'readings' | 'flows'>;

const NOTHING = (): Kept => ({ index: undefined, readings: record(), flows: record() });

function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * What a kept entry holds; nothing from anything that is not one (a broken or foreign file).
 * JSON leaves out what is undefined (a positional initializer's field, a statement that calls
 * nothing) or writes it as null (an argument that is no name): each is read back as the
 * undefined it was.
 */
function entryOf(value: unknown): Kept {
  const { index, readings, flows } = (value ?? {}) as { index?: Partial<Record<keyof KeptIndex, unknown>>; readings?: unknown; flows?: unknown };
  const lists = index && [index.functions, index.variables, index.tables, index.moduleInits, index.moduleExits];
  if (!lists?.every(Array.isArray) || !everyHas(index?.tables, 'entries')) return NOTHING();
  if (!isRecord(readings) || !isRecord(flows)) return NOTHING();
  const kept = NOTHING();
  for (const [key, reading] of Object.entries(readings)) {
    const facts = (reading as { facts?: unknown } | null)?.facts;
    if (!isFacts(facts)) return NOTHING();
    restoreFacts(facts);
    kept.readings[key] = reading as Reading;
  }
  for (const [key, flow] of Object.entries(flows)) {
    const steps = isKeptFlow(flow) && stepsOf(flow);
    if (!steps) return NOTHING();
    for (const step of steps) {
      step.call ??= undefined;
      restoreFacts(step.facts);
    }
    kept.flows[key] = flow;
  }
  for (const table of (index as KeptIndex).tables) for (const entry of table.entries) entry.field ??= undefined;
  return { index: index as KeptIndex, readings: kept.readings, flows: kept.flows };
}

/** Whether `value` has a kept flow's records and lists (their items are checked by stepsOf()). */
function isKeptFlow(value: unknown): value is KeptFlow {
  if (!isRecord(value) || !isRecord(value.callsOnOnePath) || !isRecord(value.pointers) || !Array.isArray(value.errors) || !isRecord(value.flow)) return false;
  const { statements, failures, failureSteps } = value.flow;
  return Array.isArray(statements) && Array.isArray(failureSteps) && everyHas(failures, 'paths');
}

/** Every statement and step of a kept flow, or undefined when one of them is not one. */
function stepsOf(flow: KeptFlow): { call?: string; facts: Facts }[] | undefined {
  const paths = flow.flow.failures.flatMap((point) => point.paths as unknown[]);
  if (!everyHas(paths, 'steps')) return undefined;
  const steps: unknown[] = [
    ...flow.flow.statements,
    ...flow.flow.failureSteps,
    ...flow.flow.failures.flatMap((point) => point.paths.flatMap((path) => path.steps)),
  ];
  return steps.every((step) => isRecord(step) && isFacts(step.facts)) ? (steps as { call?: string; facts: Facts }[]) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFacts(value: unknown): value is Facts {
  return isRecord(value) && everyHas(value.calls, 'args') && Array.isArray(value.refs);
}

/** A call's arguments that are no name were written as null. */
function restoreFacts(facts: Facts): void {
  for (const call of facts.calls) call.args = call.args.map((arg) => arg ?? undefined);
}

/** Whether `list` is an array whose every item has an array at `key`. */
function everyHas(list: unknown, key: string): boolean {
  return Array.isArray(list) && list.every((item: unknown) => isRecord(item) && Array.isArray(item[key]));
}

let fingerprint: string | undefined;

/**
 * What the facts of a text depend on besides the text: kvm-rules' reading of C (the files of
 * this module's folder: the bundle in dist/, the sources in src/), the grammar, and the
 * tree-sitter runtime's version.
 */
function analyzerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash('sha256').update(STORE);
  const dir = dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(dir).sort()) {
    if (/\.[cm]?[jt]s$/.test(name)) hash.update(`\0${name}\0`).update(readFileSync(join(dir, name)));
  }
  hash.update(readFileSync(grammarFile()));
  const runtime = dirname(createRequire(import.meta.url).resolve('web-tree-sitter'));
  hash.update(readFileSync(join(runtime, 'package.json')));
  fingerprint = hash.digest('hex');
  return fingerprint;
}
