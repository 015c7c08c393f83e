import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as YamlLibrary from 'yaml';
import type { Node as YamlNode, YAMLError } from 'yaml';
import { InputError, type InputPlace } from './input-error.js';
import { keptParse, type SchemaPasses } from './parse-cache.js';

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
  /** The schema checks the file's text is known to pass (from the parse cache); none when it is off. */
  passes?: SchemaPasses;
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
    ...(source.passes ? { passes: source.passes } : {}),
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
  for (let i = 0; i < bytes.length;) {
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
  return sourceFrom(
    path,
    keptParse(text, () => parseText(text, path)),
  );
}

/** A source over parsed data: `locate` walks the pointer as far as the table knows it. */
function sourceFrom(path: string, { data, places, passes }: ParsedText & { passes?: SchemaPasses }): SourceFile {
  return {
    path,
    data,
    ...(passes ? { passes } : {}),
    locate(pointer, key) {
      const parts = [...parsePointer(pointer), ...(key === undefined ? [] : [key])];
      let place = places['']!;
      let at: Position = { line: place[2], column: place[3] };
      let prefix = '';
      for (const [i, part] of parts.entries()) {
        prefix += `/${escapePointer(part)}`;
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

const require = createRequire(import.meta.url);
let yamlLibrary: typeof YamlLibrary | undefined;

/**
 * The `yaml` library, loaded by the first parse the parse cache does not answer: most runs read
 * only files parsed before, and the library is two thirds of core's code to compile at start-up.
 */
function yaml(): typeof YamlLibrary {
  return (yamlLibrary ??= require('yaml') as typeof YamlLibrary);
}

/**
 * Parses with the `yaml` library (the project's one YAML library; the scaffold writes manifests
 * with it too), reading the place of every key and value from its nodes' ranges. YAML 1.2's core
 * schema: no timestamps, no custom or language tags (an unknown tag is an error, never code).
 */
function parseText(text: string, path: string): ParsedText {
  const { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const positionOf = (offset: number): Position => {
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  const problem = doc.errors[0] ?? doc.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem) throw new InputError(yamlProblem(problem), { file: path, ...positionOf(problem.pos[0]) });
  let data: unknown;
  try {
    // An alias expanded more than this is an alias bomb, not a manifest.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new InputError((error as Error).message, { file: path });
  }
  const start = positionOf(skipBlank(text, 0));
  const table: PlaceTable = { '': [start.line, start.column, start.line, start.column] };
  // Every node by pointer, walked once; a node reached again through an alias keeps its first pointer.
  const seen = new Set<YamlNode>();
  const place = (pointer: string, key: Position, value: Position) => (table[pointer] = [key.line, key.column, value.line, value.column]);
  const walk = (node: YamlNode | null, pointer: string): void => {
    if (!node) return;
    const target = isAlias(node) ? node.resolve(doc) : node;
    if (!target || seen.has(target)) return;
    seen.add(target);
    if (isScalar(target) && typeof target.value === 'string' && target.value.length > MAX_SCALAR_LENGTH) {
      throw new InputError(`a string of ${target.value.length} characters, over the ${MAX_SCALAR_LENGTH >> 10} KB any value may have`, {
        file: path,
        ...positionOf(target.range?.[0] ?? 0),
      });
    }
    if (isMap(target)) {
      for (const pair of target.items) {
        const keyNode = pair.key as YamlNode | null;
        const name = String(isScalar(keyNode) ? keyNode.value : keyNode);
        const child = `${pointer}/${escapePointer(name)}`;
        const keyAt = positionOf(keyNode?.range?.[0] ?? 0);
        const valueNode = pair.value as YamlNode | null;
        // An empty value starts where the next line does; point at its key instead.
        const empty = !valueNode || (isScalar(valueNode) && valueNode.value === null && valueNode.range?.[0] === valueNode.range?.[1]);
        place(child, keyAt, empty ? keyAt : positionOf(valueNode.range?.[0] ?? 0));
        walk(valueNode, child);
      }
    } else if (isSeq(target)) {
      target.items.forEach((item, i) => {
        const itemNode = item as YamlNode | null;
        const at = positionOf(itemNode?.range?.[0] ?? 0);
        place(`${pointer}/${i}`, at, at);
        walk(itemNode, `${pointer}/${i}`);
      });
    }
  };
  walk(doc.contents, '');
  return { data, places: table };
}

/** A JSON pointer's part, escaped. */
function escapePointer(part: string): string {
  return part.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The library's words for what is wrong, said for a kvm-rules input. */
function yamlProblem(problem: YAMLError): string {
  switch (problem.code) {
    case 'MULTIPLE_DOCS':
      return 'expected a single document in the stream, but found more';
    case 'DUPLICATE_KEY':
      return 'duplicated mapping key';
    case 'TAG_RESOLVE_FAILED':
      return `${problem.message.replace(/^Unresolved tag/, 'unknown tag')}: kvm-rules files are plain YAML, without tags`;
    default:
      return problem.message.charAt(0).toLowerCase() + problem.message.slice(1);
  }
}

/** Where the document's first node is: past blank lines and comments. */
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

export function placeOf(source: SourceFile, pointer: string, key?: string): InputPlace {
  const { line, column } = source.locate(pointer, key);
  return { file: source.path, pointer: (source.pointerPrefix ?? '') + pointer, line, column };
}
