// A quick, parse-free index of one kernel C file: where each function is defined, the
// file-scope variables, the tables filled by initializers, and module_init(). Kernel style
// makes this reliable (a function body opens and closes with a brace in column 0, file-scope
// definitions start in column 0), and it lets the analysis parse only the functions it needs.

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
}

type VariableKind = 'per-cpu' | 'global';

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
  /** Functions named by module_init(...). */
  moduleInits: { name: string; line: number }[];
  /** Functions named by module_exit(...): what the module tears down on unload. */
  moduleExits: { name: string; line: number }[];
}

const HEADER_NAME = /\b([A-Za-z_]\w*)\s*\(/g;
const NOT_NAMES = new Set(['__printf', '__attribute__', '__aligned', '__section', '__acquires', '__releases', '__must_hold', '__diag_ignore', 'if', 'while', 'for', 'switch', 'sizeof']);
const STATIC_INIT_MACROS =
  /^(?:static\s+)?(?:LIST_HEAD|HLIST_HEAD|DEFINE_MUTEX|DEFINE_SPINLOCK|DEFINE_RAW_SPINLOCK|DEFINE_STATIC_KEY_\w+|DEFINE_IDA|DEFINE_XARRAY\w*|DEFINE_STATIC_SRCU|DEFINE_SRCU|DECLARE_WAIT_QUEUE_HEAD|DEFINE_RWLOCK|DEFINE_SEMAPHORE|DEFINE_STATIC_CALL\w*|ATOMIC_NOTIFIER_HEAD|BLOCKING_NOTIFIER_HEAD|DEFINE_PER_CPU\w*)\(/;
const PER_CPU = /^(?:static\s+)?DEFINE_PER_CPU\w*\(\s*(.+)\s*,\s*([A-Za-z_]\w*)\s*\)\s*(=)?/;
const MACRO_NAME = /^(?:static\s+)?\w+\(\s*([A-Za-z_]\w*)/;
/** Storage a macro defines without a value: zero until something writes it. */
const ZERO_INIT_MACRO = /^(?:static\s+)?DECLARE_BITMAP\(\s*([A-Za-z_]\w*)/;
const MODULE_INIT = /^module_init\(\s*([A-Za-z_]\w*)\s*\)/;
const MODULE_EXIT = /^module_exit\(\s*([A-Za-z_]\w*)\s*\)/;
const DESIGNATED = /\.\s*([A-Za-z_]\w*)\s*=\s*&?\s*([A-Za-z_]\w*)\s*[,}]?/g;
const POSITIONAL_REF = /(?:^|[{,])\s*&?\s*([a-z_]\w*)\s*(?=[,}])/g;
const TYPE_WORDS = new Set(['static', 'extern', 'const', 'volatile', 'struct', 'union', 'enum', 'unsigned', 'signed', 'typedef', 'register', 'inline']);

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
    // A trailing comment on a header line (`int foo(void) /* why */`) is not a comment line.
    const line = lines[i]!;
    const trimmed = (line.includes('*/') ? line.replace(/(?<=\S.*)\/\*.*\*\/\s*$/, '') : line).trim();
    if (trimmed === '' || /[;}]$/.test(trimmed) || trimmed.endsWith('*/') || trimmed.startsWith('#') || trimmed.startsWith('//')) break;
    if (/^\S/.test(lines[i]!)) first = i;
  }
  return first;
}

function indexFunctions(file: string, text: string, lines: string[], starts: number[]): FunctionDefinition[] {
  const functions: FunctionDefinition[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\{\s*$/.test(lines[i]!)) continue;
    const first = headerStart(lines, i);
    if (first === i) continue;
    const header = lines.slice(first, i).join(' ');
    if (header.includes('=') || !header.includes('(')) continue;
    const name = functionName(header);
    if (!name) continue;
    let last = i + 1;
    while (last < lines.length && !/^\}/.test(lines[last]!)) last++;
    const end = last < lines.length ? starts[last]! + lines[last]!.length : text.length;
    functions.push({ name, file, start: starts[first]!, end, line: first + 1, lastLine: last, weak: /\b__weak\b/.test(header), static: /^static\b/.test(header) });
    i = last;
  }
  return functions;
}

/** Words that qualify a definition without naming it (`static u64 __io_map_base;` names __io_map_base). */
const ATTRIBUTE_WORD = /^(?:__init\w*|__exit\w*|__read_mostly|__ro_after_init|__percpu|__rcu|__aligned|__cacheline_aligned\w*|__page_aligned\w*|__maybe_unused|__used|__weak|__visible|__section|__initconst|__refdata|__user|__iomem|__always_unused)$/;

/** `[ARRAY_SIZE(x)]`, `__aligned(8)`, `__attribute__((...))`: parts of a declaration whose parentheses call nothing. */
function withoutDeclaratorParens(head: string): string {
  if (!head.includes('(') && !head.includes('[')) return head;
  let text = head;
  for (let before = ''; before !== text; ) {
    before = text;
    text = text.replace(/\[[^\[\]]*\]|\b__\w+\s*\((?:[^()]|\([^()]*\))*\)/g, (part) => ' '.repeat(part.length));
  }
  return text;
}

/**
 * Declarator names of a one-line file-scope definition such as `static bool a, b __read_mostly;`:
 * the last word of each comma-separated part (the first part also carries the type).
 */
function declaredNames(declaration: string): string[] {
  const names: string[] = [];
  for (const part of declaration.split(',')) {
    const words = part.replace(/\*/g, ' ').trim().split(/\s+/).filter((w) => !ATTRIBUTE_WORD.test(w));
    const name = words.at(-1);
    if (name && /^[A-Za-z_]\w*$/.test(name) && !TYPE_WORDS.has(name)) names.push(name);
  }
  return names;
}

interface Scan {
  variables: VariableDefinition[];
  tables: InitializerTable[];
  moduleInits: { name: string; line: number }[];
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
    if (!/^[A-Za-z_]/.test(line)) continue;
    const moduleInit = MODULE_INIT.exec(line);
    if (moduleInit) {
      scan.moduleInits.push({ name: moduleInit[1]!, line: i + 1 });
      continue;
    }
    const moduleExit = MODULE_EXIT.exec(line);
    if (moduleExit) {
      scan.moduleExits.push({ name: moduleExit[1]!, line: i + 1 });
      continue;
    }
    const perCpu = PER_CPU.exec(line);
    if (perCpu) {
      scan.variables.push(variable(file, perCpu[2]!, 'per-cpu', !!perCpu[3], i, line));
      continue;
    }
    if (STATIC_INIT_MACROS.test(line)) {
      const name = MACRO_NAME.exec(line)?.[1];
      if (name) scan.variables.push(variable(file, name, 'global', true, i, line));
      continue;
    }
    if (/^(?:extern|typedef)\b/.test(line) || /^#/.test(line)) continue;
    const bitmap = ZERO_INIT_MACRO.exec(line);
    if (bitmap) {
      scan.variables.push(variable(file, bitmap[1]!, 'global', false, i, line));
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
      for (const other of names.slice(0, -1)) scan.variables.push(variable(file, other, kindOf(line), false, i, line));
      scan.variables.push(variable(file, name, kindOf(line), true, i, line));
      if (/\{\s*$/.test(line)) {
        const table = readTable(file, name, lines, i);
        scan.tables.push(table);
        i = table.line - 1 + countLines(table);
      }
      continue;
    }
    const semi = head.indexOf(';');
    if (semi === -1 || /\{/.test(head)) continue;
    for (const name of declaredNames(head.slice(0, semi))) scan.variables.push(variable(file, name, kindOf(line), false, i, line));
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
    if (/^\}/.test(line)) break;
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

/**
 * Located at the last whole-word use of the name before any initializer, outside brackets:
 * `DEFINE_PER_CPU(struct t, t)` at the second t, `a[ARRAY_SIZE(a_base)]` at a.
 */
function variable(file: string, name: string, kind: VariableKind, staticInit: boolean, index: number, line: string): VariableDefinition {
  const assign = line.indexOf('=');
  const head = assign === -1 ? line : line.slice(0, assign);
  const pointer = declaredAsPointer(head, name);
  return { name, file, kind, staticInit, pointer, line: index + 1, column: lastWordAt(head, name) + 1 };
}

const WORD_CHAR = /\w/;

/** `struct x *name`, `struct x __percpu *name`: a `*` before the name, with only attributes between. */
function declaredAsPointer(head: string, name: string): boolean {
  const at = lastWordAt(head, name);
  const before = head.slice(0, at).trimEnd().replace(/(?:\s+__\w+)+$/, '');
  return before.endsWith('*');
}

function lastWordAt(text: string, word: string): number {
  for (let at = text.lastIndexOf(word); at !== -1; at = at === 0 ? -1 : text.lastIndexOf(word, at - 1)) {
    const bounded = !WORD_CHAR.test(text[at - 1] ?? ' ') && !WORD_CHAR.test(text[at + word.length] ?? ' ');
    if (bounded && depthAt(text, at) === 0) return at;
  }
  return 0;
}

/** How many brackets are open at `at`: a name inside `[ARRAY_SIZE(x)]` is not the declared one. */
function depthAt(text: string, at: number): number {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    if (text[i] === '[') depth++;
    else if (text[i] === ']') depth--;
  }
  return depth;
}

export function indexFile(file: string, text: string): FileIndex {
  const lines = text.split('\n');
  const starts = lineStarts(text);
  const functions = indexFunctions(file, text, lines, starts);
  return { file, text, functions, ...scanFileScope(file, lines, functions) };
}
