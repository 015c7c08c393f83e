import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError, type InputPlace } from './input-error.js';

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
}

export function parsePointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function readSourceFile(path: string, displayPath = path): SourceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { file: displayPath });
  }
  return parseSourceText(text, displayPath);
}

export function parseSourceText(text: string, path: string): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const [firstError] = doc.errors;
  if (firstError) {
    const pos = lineCounter.linePos(firstError.pos[0]);
    const problem = firstError.message.split('\n')[0] ?? 'YAML syntax error';
    throw new InputError(problem, { file: path, line: pos.line, column: pos.col });
  }
  const positionOf = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return {
    path,
    data: doc.toJS(),
    locate(pointer, key) {
      return positionOf(offsetOf(doc.contents, parsePointer(pointer), key));
    },
  };
}

/** Walks the YAML node tree along `parts`; stops at the deepest node that exists. */
function offsetOf(root: Node | null, parts: string[], key?: string): number {
  let node: unknown = root;
  let offset = rangeStart(root) ?? 0;
  for (const part of parts) {
    const child = childNode(node, part);
    if (!child) return offset;
    node = child.value;
    // A key with an empty value has no value node: point at the key then.
    offset = rangeStart(child.value) ?? rangeStart(child.key) ?? offset;
  }
  if (key !== undefined) {
    const child = childNode(node, key);
    if (child?.key) return rangeStart(child.key) ?? offset;
  }
  return offset;
}

function childNode(node: unknown, part: string): { key?: Node; value: Node } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === part);
    if (pair && isPair(pair)) return { key: pair.key as Node, value: pair.value as Node };
  }
  if (isSeq(node)) {
    const item = node.items[Number(part)];
    if (item) return { value: item as Node };
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

export function placeOf(source: SourceFile, pointer: string, key?: string): InputPlace {
  const { line, column } = source.locate(pointer, key);
  return { file: source.path, pointer, line, column };
}
