// A quick, parse-free index of one kernel C file: where each function is defined, the
// file-scope variables, the tables filled by initializers, and module_init(). Kernel style
// makes this reliable (a function body opens and closes with a brace in column 0, file-scope
// definitions start in column 0), and it lets the analysis parse only the functions it needs.
import { hasParkedCode, withoutDisabledBranches } from './preprocessor.js';

export interface FunctionDefinition {
  name: string;
  file: string;
  /** Offsets of the definition (header to closing brace) in the file's text. */
  start: number;
  end: number;
  /** 1-based line of the header's first line. */
  line: number;
  /** 0-based index of the line with the closing brace. */
  lastLine: number;
  /** Defined `__weak`: a default that an arch may replace. */
  weak: boolean;
  static: boolean;
  /** No closing brace in column 0 before the end of the file (a truncated file): the definition runs to the end. */
  unclosed?: true;
}

type VariableKind = 'per-cpu' | 'global';

export interface ModuleInitCall {
  name: string;
  line: number;
  /** module_init, __initcall or device_initcall: for built-in code, one and the same initcall. */
  macro: string;
}

export interface VariableDefinition {
  name: string;
  file: string;
  kind: VariableKind;
  /** Initialized at compile time (an initializer, LIST_HEAD(), DEFINE_MUTEX(), ...). */
  staticInit: boolean;
  /** Declared as a pointer (`struct kvm_context *vmcs`): a NULL value is its failure, and a write through it reads it. */
  pointer: boolean;
  line: number;
  column: number;
}

/** One `.field = value` (or positional value) in a file-scope initializer. */
export interface InitializerEntry {
  field: string | undefined;
  value: string;
  line: number;
  column: number;
}

export interface InitializerTable {
  name: string;
  file: string;
  entries: InitializerEntry[];
  line: number;
}

export interface FileIndex {
  file: string;
  text: string;
  functions: FunctionDefinition[];
  variables: VariableDefinition[];
  tables: InitializerTable[];
  /** Functions named by module_init(...), or by the initcall it stands for in built-in code (device_initcall(...)). */
  moduleInits: ModuleInitCall[];
  /** Functions named by module_exit(...): what the module tears down on unload. */
  moduleExits: { name: string; line: number }[];
}

const HEADER_NAME = /\b([A-Za-z_]\w*)\s*\(/g;
const NOT_NAMES = new Set([
  '__printf',
  '__attribute__',
  '__aligned',
  '__section',
  '__acquires',
  '__releases',
  '__must_hold',
  '__diag_ignore',
  'if',
  'while',
  'for',
  'switch',
  'sizeof',
]);
const STATIC_INIT_MACROS =
  /^(?:static\s+)?(?:LIST_HEAD|HLIST_HEAD|DEFINE_MUTEX|DEFINE_SPINLOCK|DEFINE_RAW_SPINLOCK|DEFINE_STATIC_KEY_\w+|DEFINE_IDA|DEFINE_XARRAY\w*|DEFINE_STATIC_SRCU|DEFINE_SRCU|DECLARE_WAIT_QUEUE_HEAD|DEFINE_RWLOCK|DEFINE_SEMAPHORE|DEFINE_STATIC_CALL\w*|ATOMIC_NOTIFIER_HEAD|BLOCKING_NOTIFIER_HEAD|DEFINE_PER_CPU\w*)\(/;
const PER_CPU = /^(?:static\s+)?DEFINE_PER_CPU\w*\(.+,\s*([A-Za-z_]\w*)\s*\)\s*(=)?/;
const MACRO_NAME = /^(?:static\s+)?\w+\(\s*([A-Za-z_]\w*)/;
/** Storage a macro defines without a value: zero until something writes it. */
const ZERO_INIT_MACRO = /^(?:static\s+)?DECLARE_BITMAP\(\s*([A-Za-z_]\w*)/;
const MODULE_INIT = /^(module_init|__initcall|device_initcall)\(\s*([A-Za-z_]\w*)\s*\)/;
const MODULE_EXIT = /^module_exit\(\s*([A-Za-z_]\w*)\s*\)/;
const DESIGNATED = /\.\s*([A-Za-z_]\w*)\s*=\s*&?\s*([A-Za-z_]\w*)\s*[,}]?/g;
const POSITIONAL_REF = /(?:^|[{,])\s*&?\s*([a-z_]\w*)\s*(?=[,}])/g;
const TYPE_WORDS = new Set(['static', 'extern', 'const', 'volatile', 'struct', 'union', 'enum', 'unsigned', 'signed', 'typedef', 'register', 'inline']);

/**
 * The longest line read as part of a function header or a file-scope declaration. Kernel lines
 * are under 250 characters; a longer one (generated, minified, hostile) is neither, so that the
 * work per line is bounded and indexing a file stays linear in its size.
 */
export const MAX_DECLARATION_LINE = 4096;

/** Offsets of the start of each line, so that a line number maps to an offset. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function functionName(header: string): string | undefined {
  for (const match of header.matchAll(HEADER_NAME)) {
    if (!NOT_NAMES.has(match[1]!)) return match[1];
  }
  return undefined;
}

/**
 * The first line of the header before a `{` in column 0: back over the header's lines (indented
 * continuation lines included) to a blank line, a `;`, a `}`, a comment end or a directive.
 */
function headerStart(lines: string[], brace: number): number {
  let first = brace;
  for (let i = brace - 1; i >= 0 && i >= brace - 8; i--) {
    const line = lines[i]!;
    if (line.length > MAX_DECLARATION_LINE) break;
    const trimmed = withoutTrailingComment(line).trim();
    if (trimmed === '' || trimmed.endsWith(';') || trimmed.endsWith('}') || trimmed.endsWith('*/') || trimmed.startsWith('#') || trimmed.startsWith('//'))
      break;
    if (/^\S/.test(line)) first = i;
  }
  return first;
}

/**
 * A header line without its trailing comment (`int foo(void) /* why *\/`): from the first `/*`
 * after the line's first non-blank character, when the line ends with `*\/`. A line that is all
 * comment keeps it, and is then no header line.
 */
function withoutTrailingComment(line: string): string {
  const end = line.trimEnd();
  if (!end.endsWith('*/')) return line;
  const text = end.search(/\S/);
  const open = end.indexOf('/*', text + 1);
  return open !== -1 && open + 2 <= end.length - 2 ? line.slice(0, open) : line;
}

/** The header of the definition whose body opens on line i, or undefined when no body opens there. */
function headerAt(lines: string[], i: number): { first: number; header: string } | undefined {
  const line = lines[i]!;
  if (/^\{\s*$/.test(line)) {
    const first = headerStart(lines, i);
    return first === i ? undefined : { first, header: lines.slice(first, i).join(' ') };
  }
  // A header line in column 0 that also opens the body (`static int __init svm_init(void) {`):
  // not kernel style, but C a patch may have. In column 0 only: an indented line ending so is a
  // statement, and one in a comment starts with `*` or `/`.
  if (line.length > MAX_DECLARATION_LINE || !/^[A-Za-z_]/.test(line)) return undefined;
  const head = line.trimEnd();
  if (!head.endsWith('{') || !head.slice(0, -1).trimEnd().endsWith(')')) return undefined;
  const first = headerStart(lines, i);
  return { first, header: [...lines.slice(first, i), head.slice(0, -1)].join(' ') };
}

function indexFunctions(file: string, text: string, lines: string[], starts: number[]): FunctionDefinition[] {
  const functions: FunctionDefinition[] = [];
  for (let i = 0; i < lines.length; i++) {
    const at = headerAt(lines, i);
    if (!at) continue;
    const { first, header } = at;
    if (header.includes('=') || !header.includes('(')) continue;
    const name = functionName(header);
    if (!name) continue;
    let last = i + 1;
    while (last < lines.length && !lines[last]!.startsWith('}')) last++;
    const end = last < lines.length ? starts[last]! + lines[last]!.length : text.length;
    const unclosed = last === lines.length ? { unclosed: true as const } : {};
    functions.push({
      name,
      file,
      start: starts[first]!,
      end,
      line: first + 1,
      lastLine: last,
      weak: /\b__weak\b/.test(header),
      static: /^static\b/.test(header),
      ...unclosed,
    });
    i = last;
  }
  return functions;
}

/** Words that qualify a definition without naming it (`static u64 __io_map_base;` names __io_map_base). */
const ATTRIBUTE_WORD =
  /^(?:__init\w*|__exit\w*|__read_mostly|__ro_after_init|__percpu|__rcu|__aligned|__cacheline_aligned\w*|__page_aligned\w*|__maybe_unused|__used|__weak|__visible|__section|__initconst|__refdata|__user|__iomem|__always_unused)$/;

/**
 * `[ARRAY_SIZE(x)]`, `__aligned(8)`, `__section(".x")`: parts of a declaration whose parentheses
 * call nothing, blanked. Brackets are blanked with all they hold; a `__word(...)` when what it
 * holds, its own such parts blanked, nests parentheses at most one deep. One pass with a stack.
 */
function withoutDeclaratorParens(head: string): string {
  if (!head.includes('(') && !head.includes('[')) return head;
  /** +1 where a blanked part starts, -1 after it ends: blanked at the end, in one pass, however they nest. */
  const edges = new Int32Array(head.length + 1);
  /** Open groups: where each starts (a `__word` before its `(` included) and how deep its parentheses nest. */
  const open: { bracket: boolean; start: number; attribute: boolean; depth: number }[] = [];
  let brackets = 0;
  const blank = (from: number, to: number) => {
    edges[from]!++;
    edges[to + 1]!--;
  };
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '[') {
      open.push({ bracket: true, start: i, attribute: false, depth: 0 });
      brackets++;
    } else if (c === '(') {
      const word = attributeBefore(head, i);
      open.push({ bracket: false, start: word ?? i, attribute: word !== undefined, depth: 0 });
    } else if (c === ']' && brackets > 0) {
      // Whatever is open inside the brackets closes with them.
      let group = open.pop();
      while (group && !group.bracket) group = open.pop();
      brackets--;
      if (group) blank(group.start, i);
    } else if (c === ')' && open.at(-1)?.bracket === false) {
      // A parenthesis closes the group it opened (never a bracket's).
      const group = open.pop();
      const parent = open.at(-1);
      if (group?.attribute && group.depth <= 1) blank(group.start, i);
      else if (group && parent) parent.depth = Math.max(parent.depth, group.depth + 1);
    }
  }
  let text = '';
  let from = 0;
  for (let i = 0, inside = 0; i <= head.length; i++) {
    const was = inside;
    inside += edges[i]!;
    if (was === 0 && inside > 0) {
      text += head.slice(from, i);
      from = i;
    } else if (was > 0 && inside === 0) {
      text += ' '.repeat(i - from);
      from = i;
    }
  }
  return text + head.slice(from);
}

/** The start of the `__word` (and blanks) just before the `(` at `paren`, if there is one. */
function attributeBefore(text: string, paren: number): number | undefined {
  let at = paren;
  while (at > 0 && /\s/.test(text[at - 1]!)) at--;
  const end = at;
  while (at > 0 && isWordChar(text.charCodeAt(at - 1))) at--;
  return end - at > 2 && text.startsWith('__', at) ? at : undefined;
}

/**
 * Declarator names of a one-line file-scope definition such as `static bool a, b __read_mostly;`:
 * the last word of each comma-separated part (the first part also carries the type).
 */
function declaredNames(declaration: string): string[] {
  const names: string[] = [];
  for (const part of declaration.split(',')) {
    const words = part
      .replace(/\*/g, ' ')
      .trim()
      .split(/\s+/)
      .filter((w) => !ATTRIBUTE_WORD.test(w));
    const name = words.at(-1);
    if (name && /^[A-Za-z_]\w*$/.test(name) && !TYPE_WORDS.has(name)) names.push(name);
  }
  return names;
}

interface Scan {
  variables: VariableDefinition[];
  tables: InitializerTable[];
  moduleInits: ModuleInitCall[];
  moduleExits: { name: string; line: number }[];
}

function scanFileScope(file: string, lines: string[], functions: FunctionDefinition[]): Scan {
  const scan: Scan = { variables: [], tables: [], moduleInits: [], moduleExits: [] };
  // Function bodies are not file scope: jump over each, from its header to its closing brace.
  const bodies = functions.map((fn) => [fn.line - 1, fn.lastLine] as const);
  let next = 0;
  for (let i = 0; i < lines.length; i++) {
    while (next < bodies.length && bodies[next]![1] < i) next++;
    if (next < bodies.length && bodies[next]![0] <= i) {
      i = bodies[next]![1];
      continue;
    }
    const line = lines[i]!;
    if (!/^[A-Za-z_]/.test(line) || line.length > MAX_DECLARATION_LINE) continue;
    const moduleInit = MODULE_INIT.exec(line);
    if (moduleInit) {
      scan.moduleInits.push({ name: moduleInit[2]!, line: i + 1, macro: moduleInit[1]! });
      continue;
    }
    const moduleExit = MODULE_EXIT.exec(line);
    if (moduleExit) {
      scan.moduleExits.push({ name: moduleExit[1]!, line: i + 1 });
      continue;
    }
    const perCpu = PER_CPU.exec(line);
    if (perCpu) {
      scan.variables.push(variable(file, perCpu[1]!, 'per-cpu', !!perCpu[2], i, declarationPlaces(line)));
      continue;
    }
    if (STATIC_INIT_MACROS.test(line)) {
      const name = MACRO_NAME.exec(line)?.[1];
      if (name) scan.variables.push(variable(file, name, 'global', true, i, declarationPlaces(line)));
      continue;
    }
    if (/^(?:extern|typedef)\b/.test(line) || line.startsWith('#')) continue;
    const bitmap = ZERO_INIT_MACRO.exec(line);
    if (bitmap) {
      scan.variables.push(variable(file, bitmap[1]!, 'global', false, i, declarationPlaces(line)));
      continue;
    }
    const assign = line.indexOf('=');
    const head = withoutDeclaratorParens(assign === -1 ? line : line.slice(0, assign));
    // What is left with parentheses is a prototype, a macro call or a function pointer.
    if (head.includes('(')) continue;
    if (assign !== -1) {
      const names = declaredNames(head);
      const name = names.at(-1);
      if (!name) continue;
      // `int a, b = 3;`: only the last has the initializer.
      const places = declarationPlaces(line);
      for (const other of names.slice(0, -1)) scan.variables.push(variable(file, other, places.kind, false, i, places));
      scan.variables.push(variable(file, name, places.kind, true, i, places));
      if (/\{\s*$/.test(line)) {
        const table = readTable(file, name, lines, i);
        scan.tables.push(table);
        i = table.line - 1 + countLines(table);
      }
      continue;
    }
    const semi = head.indexOf(';');
    if (semi === -1 || head.includes('{')) continue;
    const places = declarationPlaces(line);
    for (const name of declaredNames(head.slice(0, semi))) scan.variables.push(variable(file, name, places.kind, false, i, places));
  }
  return scan;
}

/** A pointer to per-CPU data (`struct kvm_context __percpu *vmcs;`, filled by alloc_percpu()) is per-CPU state too. */
function kindOf(declaration: string): VariableKind {
  return /\b__percpu\b/.test(declaration) ? 'per-cpu' : 'global';
}

const tableLength = new WeakMap<InitializerTable, number>();

function countLines(table: InitializerTable): number {
  return tableLength.get(table) ?? 0;
}

/** A file-scope initializer from `... = {` to the `};` in column 0. */
function readTable(file: string, name: string, lines: string[], first: number): InitializerTable {
  const table: InitializerTable = { name, file, entries: [], line: first + 1 };
  let last = first;
  for (let l = first + 1; l < lines.length; l++) {
    last = l;
    const line = lines[l]!;
    if (line.startsWith('}')) break;
    let designated = false;
    for (const match of line.matchAll(DESIGNATED)) {
      designated = true;
      table.entries.push({ field: match[1], value: match[2]!, line: l + 1, column: line.indexOf(match[2]!, match.index) + 1 });
    }
    if (designated || /^\s*(?:\/\/|\/\*|\*)/.test(line)) continue;
    for (const match of line.matchAll(POSITIONAL_REF)) {
      table.entries.push({ field: undefined, value: match[1]!, line: l + 1, column: line.indexOf(match[1]!, match.index) + 1 });
    }
  }
  tableLength.set(table, last - first);
  return table;
}

/** `\w`, without a regex per character. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}
const BLANK = /\s/;

/** Where the names of one declaration line stand, and which are pointers: see declarationPlaces(). */
interface Places {
  at: Map<string, number>;
  pointer: Map<string, boolean>;
  kind: VariableKind;
}

/**
 * Each name of a declaration line at its last whole-word use before any initializer, outside
 * brackets (`DEFINE_PER_CPU(struct t, t)` at the second t, `a[ARRAY_SIZE(a_base)]` at a), and
 * whether a `*` comes before that use with only attributes between (`struct x __percpu *name`).
 * One pass over the line for all its names, however many (`int a, b, c;`).
 */
function declarationPlaces(line: string): Places {
  const assign = line.indexOf('=');
  const head = assign === -1 ? line : line.slice(0, assign);
  const places: Places = { at: new Map(), pointer: new Map(), kind: kindOf(line) };
  let depth = 0;
  /** Whether what comes before, blanks and attributes after a blank (`* __percpu`) aside, ends with `*`. */
  let star = false;
  let blank = false;
  for (let i = 0; i < head.length;) {
    const c = head[i]!;
    if (isWordChar(head.charCodeAt(i))) {
      let end = i + 1;
      while (end < head.length && isWordChar(head.charCodeAt(end))) end++;
      const word = head.slice(i, end);
      if (depth === 0) {
        places.at.set(word, i);
        places.pointer.set(word, star);
      }
      if (!(blank && end - i > 2 && word.startsWith('__'))) star = false;
      blank = false;
      i = end;
      continue;
    }
    if (BLANK.test(c)) blank = true;
    else {
      star = c === '*';
      blank = false;
      if (c === '[') depth++;
      else if (c === ']') depth--;
    }
    i++;
  }
  return places;
}

function variable(file: string, name: string, kind: VariableKind, staticInit: boolean, index: number, places: Places): VariableDefinition {
  return { name, file, kind, staticInit, pointer: places.pointer.get(name) ?? false, line: index + 1, column: (places.at.get(name) ?? 0) + 1 };
}

export function indexFile(file: string, text: string): FileIndex {
  // Definitions parked under `#if 0` are never compiled: indexed without them, every line in its place.
  const visible = hasParkedCode(text) ? withoutDisabledBranches(text) : text;
  const lines = visible.split('\n');
  const starts = lineStarts(visible);
  const functions = indexFunctions(file, visible, lines, starts);
  return { file, text, functions, ...scanFileScope(file, lines, functions) };
}
