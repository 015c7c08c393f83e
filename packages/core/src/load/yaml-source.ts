import { readFileSync, statSync } from 'node:fs';
import yaml from 'js-yaml';
import { InputError, type InputPlace } from './input-error.js';
import { keptParse } from './parse-cache.js';

export interface Position {
  line: number;
  column: number;
}

/** A parsed YAML (or JSON) file that can say where any JSON pointer sits in its text. */
export interface SourceFile {
  /** Path as shown in messages (relative to the working directory when possible). */
  path: string;
  data: unknown;
  /** The position of the value at `pointer`, or of the key `key` inside it. */
  locate(pointer: string, key?: string): Position;
  /** Where `data` sits in the file when it is a part of it (see `partOf`). */
  pointerPrefix?: string;
}

/** The value at `pointer` as a source of its own, whose places and pointers still name the whole file. */
export function partOf(source: SourceFile, pointer: string): SourceFile {
  let data = source.data;
  for (const part of parsePointer(pointer)) data = (data as Record<string, unknown> | undefined)?.[part];
  return {
    path: source.path,
    data,
    locate: (inner, key) => source.locate(pointer + inner, key),
    pointerPrefix: (source.pointerPrefix ?? '') + pointer,
  };
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Far above any plugin, profile, rule or configuration file: what is larger is not one. */
const MAX_FILE_BYTES = 4 << 20;
/** Far above any name or summary; a longer string would only make the schema's patterns work for nothing. */
const MAX_SCALAR_LENGTH = 64 << 10;

export function readSourceFile(path: string, displayPath = path, format: 'yaml' | 'json' = 'yaml'): SourceFile {
  let bytes: Buffer;
  try {
    // A FIFO or a device is never read: it could block or never end.
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError('not a regular file', { file: displayPath });
    if (stat.size > MAX_FILE_BYTES) throw new InputError(`larger than ${MAX_FILE_BYTES >> 20} MB: not a kvm-rules input file`, { file: displayPath });
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: displayPath });
  }
  const text = utf8Text(bytes, displayPath);
  if (format === 'json') return parseJsonText(text, displayPath);
  return parseSourceText(text, displayPath);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a file that must be UTF-8, as C files must: invalid bytes are named, never replaced. */
function utf8Text(bytes: Buffer, path: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const bad = firstInvalidByte(bytes);
    const line = bytes.subarray(0, bad).toString('latin1').split('\n').length;
    throw new InputError(`not UTF-8 text (first bad byte on line ${line})`, { file: path, line });
  }
}

/** The offset of the first byte that does not continue a valid UTF-8 sequence. */
function firstInvalidByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    for (let j = 1; j < length; j++) if (((bytes[i + j] ?? 0) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return bytes.length;
}

/** A JSON file (package.json): parsed as JSON, with the places of its values found by the YAML reader, which JSON is a subset of. */
function parseJsonText(text: string, path: string): SourceFile {
  try {
    JSON.parse(text);
  } catch (error) {
    throw new InputError(`not JSON: ${(error as Error).message}`, { file: path });
  }
  return parseSourceText(text, path);
}

/** Where a child of a mapping or sequence starts: its key (mappings only) and its value. */
interface ChildPlace {
  key?: number;
  value: number;
}

interface Frame {
  start: number;
  children: { start: number; value: unknown; frame: Frame }[];
}

/**
 * Where each value of a parsed file is: by JSON pointer, the line and column of its key (in a
 * mapping) and of its value; `""` is where the document starts. Plain data, so that a parse can
 * be kept (see parse-cache.ts) and a file read again without parsing it.
 */
export type PlaceTable = Record<string, [keyLine: number, keyColumn: number, valueLine: number, valueColumn: number]>;

export interface ParsedText {
  data: unknown;
  places: PlaceTable;
}

/**
 * Parses YAML (or JSON) text into its data and the place of every value. Bad YAML is an
 * InputError at its line and column. A parse is kept in the user's cache by the text's hash
 * (parse-cache.ts): a file read before, a built-in plugin say, costs a JSON.parse.
 */
export function parseSourceText(text: string, path: string): SourceFile {
  return sourceFrom(path, keptParse(text, () => parseText(text, path)));
}

/** A source over parsed data: `locate` walks the pointer as far as the table knows it. */
function sourceFrom(path: string, { data, places }: ParsedText): SourceFile {
  return {
    path,
    data,
    locate(pointer, key) {
      const parts = [...parsePointer(pointer), ...(key === undefined ? [] : [key])];
      let place = places['']!;
      let at: Position = { line: place[2], column: place[3] };
      let prefix = '';
      for (const [i, part] of parts.entries()) {
        prefix += `/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        const found = places[prefix];
        if (!found) break;
        place = found;
        const atKey = key !== undefined && i === parts.length - 1;
        at = atKey ? { line: place[0], column: place[1] } : { line: place[2], column: place[3] };
      }
      return at;
    },
  };
}

/**
 * Parses with js-yaml, recording through its `listener` hook where every node starts, so that
 * schema errors and findings can name a line and column. js-yaml is used over a CST parser
 * because it parses the whole rule set several times faster on a cold start, which is most
 * of what a `kvm-rules check` run costs.
 */
function parseText(text: string, path: string): ParsedText {
  const places = new WeakMap<object, Map<string, ChildPlace>>();
  const stack: Frame[] = [{ start: 0, children: [] }];
  let data: unknown;
  try {
    data = yaml.load(text, {
      filename: path,
      listener(event, state) {
        if (event === 'open') {
          stack.push({ start: state.position, children: [] });
          return;
        }
        const frame = stack.pop()!;
        if (typeof state.result === 'string' && state.result.length > MAX_SCALAR_LENGTH) {
          throw new InputError(`a string of ${state.result.length} characters, over the ${MAX_SCALAR_LENGTH >> 10} KB any value may have`, { file: path, ...toPosition(lineStarts(text), skipBlank(text, frame.start)) });
        }
        stack.at(-1)!.children.push({ start: frame.start, value: state.result, frame });
        recordChildren(places, frame, state.result as unknown);
      },
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (!(error instanceof yaml.YAMLException)) throw error;
    // js-yaml gives no place for some errors (a second document in the stream).
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const place = mark ? { line: mark.line + 1, column: mark.column + 1 } : secondDocument(text);
    throw new InputError(error.reason, { file: path, ...place });
  }
  const lines = lineStarts(text);
  const positionOf = (offset: number): Position => toPosition(lines, skipBlank(text, offset));
  const start = positionOf(0);
  const table: PlaceTable = { '': [start.line, start.column, start.line, start.column] };
  // Every node by pointer, walked once; a node reached again through an alias keeps its first pointer.
  const seen = new Set<object>();
  const walk = (node: unknown, pointer: string): void => {
    if (!isObject(node) || seen.has(node)) return;
    seen.add(node);
    for (const [part, place] of places.get(node) ?? []) {
      const child = `${pointer}/${part.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const key = positionOf(place.key ?? place.value);
      const value = positionOf(place.value);
      table[child] = [key.line, key.column, value.line, value.column];
      walk((node as Record<string, unknown>)[part], child);
    }
  };
  walk(data, '');
  return { data, places: table };
}

/** Where a second YAML document starts (`---` at the start of a line after some content), for the one error js-yaml places nowhere. */
function secondDocument(text: string): Position {
  const lines = text.split('\n');
  const markers = lines.flatMap((line, i) => (/^---(\s|$)/.test(line) ? [i] : []));
  const second = markers.find((i) => lines.slice(0, i).some((l) => l.trim() !== '' && !l.startsWith('#') && !/^---/.test(l)));
  return { line: (second ?? 0) + 1, column: 1 };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * At a mapping's close its children came as key, value, key, value; at a sequence's, as
 * items. js-yaml may wrap a node in another one with the same result (a flow mapping inside
 * a block sequence): the inner node's children are the real ones then.
 */
function recordChildren(places: WeakMap<object, Map<string, ChildPlace>>, frame: Frame, result: unknown): void {
  if (!isObject(result)) return;
  let children = frame.children;
  while (children.length === 1 && children[0]!.value === result) children = children[0]!.frame.children;
  const map = new Map<string, ChildPlace>();
  if (Array.isArray(result)) {
    children.forEach((child, i) => map.set(String(i), { value: child.start }));
  } else {
    for (let i = 0; i + 1 < children.length; i += 2) {
      const [key, value] = [children[i]!, children[i + 1]!];
      // An empty value starts where the next line does; point at its key instead.
      map.set(String(key.value), { key: key.start, value: value.value === null ? key.start : value.start });
    }
  }
  places.set(result, map);
}

/** js-yaml reports a node from where it began looking: step over blanks and comments to the node itself. */
function skipBlank(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i < text.length ? i : offset;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function toPosition(starts: number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - starts[low]! + 1 };
}

export function placeOf(source: SourceFile, pointer: string, key?: string): InputPlace {
  const { line, column } = source.locate(pointer, key);
  return { file: source.path, pointer: (source.pointerPrefix ?? '') + pointer, line, column };
}
