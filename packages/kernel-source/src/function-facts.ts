// What one function's C says, as plain data: the calls it makes (direct, through an ops-table
// field, through static_call()/kvm_x86_call()), the functions it hands out as callbacks, and
// every file-scope name it reads or writes. Functions are parsed one at a time, so a macro
// that tree-sitter misreads costs at most that function, never the file.
import type { Node, Parser } from 'web-tree-sitter';
import { maskKernelMacros } from './c-parser.js';
import type { FunctionDefinition } from './file-index.js';
import { isAllocator } from './undo-pairs.js';

export interface Place {
  file: string;
  line: number;
  column: number;
}

/** A place as a finding's location (a copy: findings never share objects with the analysis). */
export function locationOf(place: Place): Place {
  return { file: place.file, line: place.line, column: place.column };
}

export type Callee =
  | { kind: 'direct'; name: string }
  /** `ops->field(...)`, `ops.field(...)`, `static_call(kvm_x86_field)(...)`, `kvm_x86_call(field)(...)`. */
  | { kind: 'field'; field: string };

export interface CallSite {
  callee: Callee;
  /** Identifiers passed as arguments (`fn`, `&table`), by position; undefined for other arguments. */
  args: (string | undefined)[];
  /** Every name the arguments use (`per_cpu(cpu_kick_mask, cpu)` uses cpu_kick_mask and cpu): what an undo call releases. */
  argNames: string[];
  place: Place;
  /**
   * The names read by the conditions that must hold for the call to run: an enclosing `if (x)`
   * (in its then-branch), an earlier `if (!x) return;` or `if (!x) goto out;` of its block. A
   * callback that reaches a hook only `if (kvm_usage_count)` does not run it while that is 0.
   */
  guards?: string[];
}

interface Reference {
  name: string;
  /** Assigned (`x = …`, `this_cpu_write(x, …)`), or its address handed to a call that may write it (`INIT_LIST_HEAD(&x)`). */
  write: boolean;
  place: Place;
  /** A write of memory an allocator returned (`x = kzalloc(…)`, or through a local: `p = alloc_pages(…); x = page_address(p)`). */
  allocated?: string;
  /** A write of a constant (`x = NULL`, `x = false`, `x = 0`, `x = SOME_DEFAULT`): how an undo resets state. */
  constant?: boolean;
  /** A write of NULL: a pointer so written is not set up (a failure path's `vmcs = NULL`). */
  null?: boolean;
  /** The member reached with `.` (`kvm_caps.supported_xss`): a struct's members are state of their own. */
  field?: string;
  /** Read in a condition (of an if, a loop, a switch, `?:`): the value decides what the code does. */
  decides?: boolean;
  /** A read only if the name is a pointer: `p[cpu] = v` reads p, `array[cpu] = v` does not read the array. */
  ifPointer?: boolean;
  /** A write through the pointer the name holds (`p->f = v`, `this_cpu_ptr(p)->f = v`): of what p points at, not of p. */
  through?: boolean;
}

export interface Facts {
  calls: CallSite[];
  refs: Reference[];
}

export interface ParsedFunction {
  def: FunctionDefinition;
  body: Node | undefined;
  /** The parameters' names. */
  params: Set<string>;
  /** Names declared inside: parameters and locals, which shadow file-scope state (read on first use). */
  readonly locals: Set<string>;
  /** Places tree-sitter could not parse. */
  errors: Place[];
  /**
   * The name an identifier node spells (`identifier`, `field_identifier`). Read from the text
   * tree-sitter parsed, at the node's start: asking the node for its text costs a call into
   * WebAssembly for its end, and a run reads tens of thousands of names.
   */
  readonly nameOf: (node: Node) => string;
  /** A field_expression's member name and operator (`.` or `->`), the operator read from the text before the name when that says. */
  readonly memberOf: (node: Node) => { name: string | undefined; operator: string | undefined };
  /** Where the body ended before the function did (a `{` missing): the rest was not read at all. */
  cutAt?: Place;
  /** Where brackets nest deeper than the analysis follows: the function was not read. */
  tooDeepAt?: Place;
  place(node: Node): Place;
  /** Frees the tree (web-tree-sitter trees live in WASM memory). */
  dispose(): void;
}

/** static_call(kvm_x86_foo)(...), static_call_cond(...)(...) and 6.12's kvm_x86_call(foo)(...). */
const STATIC_CALLS = new Map([
  ['static_call', 'kvm_x86_'],
  ['static_call_cond', 'kvm_x86_'],
  ['static_call_mod', 'kvm_x86_'],
  ['kvm_x86_call', ''],
  ['kvm_pmu_call', ''],
]);

/** Accessors whose first argument is the per-CPU variable being reached. */
const PER_CPU_ACCESSORS = new Set([
  'per_cpu',
  'per_cpu_ptr',
  'this_cpu_ptr',
  'raw_cpu_ptr',
  '__this_cpu_ptr',
  'per_cpu_ptr_nvhe_sym',
  'this_cpu_ptr_nvhe_sym',
  'this_cpu_write',
  '__this_cpu_write',
  'raw_cpu_write',
]);
const PER_CPU_WRITERS = new Set(['this_cpu_write', '__this_cpu_write', 'raw_cpu_write', 'this_cpu_inc', 'this_cpu_dec', '__this_cpu_inc', '__this_cpu_dec']);

/**
 * Stores written like calls: `WRITE_ONCE(x, v)` is `x = v` (and `smp_store_release(&x, v)`,
 * `atomic_set(&x, v)` with the address), not a call of anything.
 */
export const STORE_MACROS = new Set(['WRITE_ONCE', '__WRITE_ONCE', 'smp_store_release', 'smp_store_mb', 'atomic_set', 'atomic64_set', 'atomic_long_set']);

/** The lvalue a store macro writes: its first argument, or what that points at (`&x`). */
export function storedTo(args: readonly (Node | null)[]): Node | null {
  const target = args[0] ?? null;
  return target?.type === 'pointer_expression' && target.child(0)?.type === '&' ? target.childForFieldName('argument') : target;
}

/** Parses one function; `enabled`: the configuration it is read in (branches it rules out are blanked). */
export function parseFunction(parser: Parser, def: FunctionDefinition, text: string, enabled?: Set<string>): ParsedFunction {
  const source = maskKernelMacros(text.slice(def.start, def.end), enabled);
  const deep = tooDeep(source);
  if (deep !== undefined) return unreadFunction(def, placeAt(def, source, deep));
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${def.name}()`);
  const place = (node: Node): Place => ({ file: def.file, line: def.line + node.startPosition.row, column: node.startPosition.column + 1 });
  const definition = tree.rootNode.namedChildren.find((n) => n?.type === 'function_definition') ?? undefined;
  const body = definition?.childForFieldName('body') ?? findBody(tree.rootNode);
  const errors: Place[] = [];
  // The whole definition, not only the body: a missing `{` closes the body early and leaves the
  // rest of the function outside it, unread.
  collectErrors(tree.rootNode, errors, place);
  if (!body) errors.push(place(tree.rootNode));
  const cut =
    body && source.slice(body.endIndex).trim() !== '' ? { file: def.file, line: def.line + body.endPosition.row, column: body.endPosition.column } : undefined;
  // A tree with errors may hold MISSING nodes, zero-width: only the node knows it spells nothing.
  const { nameOf, memberOf } = namesRead(errors.length === 0 ? source : undefined);
  const params = new Set<string>();
  const declarator = definition?.childForFieldName('declarator');
  if (declarator) collectLocals(declarator, params, nameOf);
  let locals: Set<string> | undefined;
  return {
    def,
    body: body ?? undefined,
    params,
    get locals() {
      locals ??= body ? collectLocals(body, new Set(params), nameOf) : params;
      return locals;
    },
    errors,
    nameOf,
    memberOf,
    ...(cut ? { cutAt: cut } : {}),
    place,
    dispose: () => {
      tree.delete();
    },
  };
}

/**
 * Nesting the analysis does not follow: its walks over a syntax tree recurse, and no kernel
 * function comes near this depth of brackets, braces and parentheses.
 */
export const MAX_NESTING = 200;

/** The offset where brackets nest deeper than MAX_NESTING (strings and comments aside), if they do. */
function tooDeep(source: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'") {
      for (i++; i < source.length && source[i] !== c && source[i] !== '\n'; i++) if (source[i] === '\\') i++;
    } else if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 1;
    } else if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end === -1 ? source.length : end;
    } else if (c === '(' || c === '{' || c === '[') {
      if (++depth > MAX_NESTING) return i;
    } else if (c === ')' || c === '}' || c === ']') {
      depth--;
    }
  }
  return undefined;
}

function placeAt(def: FunctionDefinition, source: string, offset: number): Place {
  const before = source.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { file: def.file, line: def.line + line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

/** A function not parsed at all: no facts, and where it was given up. */
function unreadFunction(def: FunctionDefinition, at: Place): ParsedFunction {
  return {
    def,
    body: undefined,
    params: new Set(),
    locals: new Set(),
    errors: [at],
    ...namesRead(undefined),
    tooDeepAt: at,
    place: () => at,
    dispose: () => {
      // No tree was parsed: nothing to free.
    },
  };
}

/** tree-sitter-c's identifier, which a name node's text is all of. */
const IDENTIFIER = /(?:[\p{XID_Start}$_]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})(?:[\p{XID_Continue}$]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*/uy;

/** How names are read: from `source`, the text tree-sitter parsed, or, without it, by asking the nodes. */
function namesRead(source: string | undefined): Pick<ParsedFunction, 'nameOf' | 'memberOf'> {
  const nameOf = source === undefined ? (node: Node) => node.text : (node: Node) => wordAt(source, node.startIndex);
  const memberOf = (node: Node) => {
    const field = node.childForFieldName('field');
    const before = source !== undefined && field ? operatorBefore(source, field.startIndex) : undefined;
    return { name: field ? nameOf(field) : undefined, operator: before ?? node.childForFieldName('operator')?.text };
  };
  return { nameOf, memberOf };
}

function wordAt(source: string, index: number): string {
  IDENTIFIER.lastIndex = index;
  // test() and a slice, not exec(): no match array per name.
  return IDENTIFIER.test(source) ? source.slice(index, IDENTIFIER.lastIndex) : '';
}

/** `.` or `->` right before a member name (spaces aside); undefined when something else is there (a comment). */
function operatorBefore(source: string, index: number): string | undefined {
  let i = index - 1;
  while (i >= 0 && (source[i] === ' ' || source[i] === '\t' || source[i] === '\n')) i--;
  if (source[i] === '.') return '.';
  if (source[i] === '>' && source[i - 1] === '-') return '->';
  return undefined;
}

/** A definition tree-sitter did not recognize may still hold its body as a compound statement. */
function findBody(root: Node): Node | undefined {
  return root.descendantsOfType('compound_statement').find((n) => n?.parent?.type !== 'compound_statement') ?? undefined;
}

function collectErrors(node: Node, errors: Place[], place: (n: Node) => Place): void {
  if (!node.hasError) return;
  if (node.isError || node.isMissing) {
    errors.push(place(node));
    return;
  }
  for (const child of node.children) if (child) collectErrors(child, errors, place);
}

const DECLARATION_TYPES = ['parameter_declaration', 'declaration'];
const DECLARATIONS = new Set(DECLARATION_TYPES);

/** Parameters and local declarations, at any depth: tree-sitter finds them in one call. */
function collectLocals(node: Node, locals: Set<string>, nameOf: (node: Node) => string): Set<string> {
  for (const decl of node.descendantsOfType(DECLARATION_TYPES)) {
    if (decl) for (const id of declaratorNames(decl, nameOf)) locals.add(id);
  }
  return locals;
}

function declaratorNames(decl: Node, nameOf: (node: Node) => string): string[] {
  const names: string[] = [];
  for (const child of decl.childrenForFieldName('declarator')) {
    let node: Node | null = child;
    while (node && node.type !== 'identifier') {
      node = node.childForFieldName('declarator') ?? node.namedChildren.find((n) => n?.type === 'identifier') ?? null;
    }
    if (node) names.push(nameOf(node));
  }
  return names;
}

/** One walk over a subtree: the facts so far, and the locals that point into file-scope state. */
interface Walk {
  fn: ParsedFunction;
  facts: Facts;
  /** `sd = per_cpu_ptr(&svm_data, cpu)`: a write through sd is a write of svm_data. */
  aliases: Map<string, string>;
  /** Aliases made from a pointer's value (`c = per_cpu_ptr(vmcs, cpu)`): a write through them reads the pointer too. */
  throughPointer: Set<string>;
  /** Locals that hold memory from an allocator, by the allocator's name. */
  allocations: Map<string, string>;
  /** Identifiers (by start) that are the object of a `.` member access, with the member. */
  members: Map<number, string>;
  /** The function's locals: for a whole body, those declared so far (C declares before use), else all of them. */
  locals: Set<string>;
  /** The parts of the body that run only under a condition (CallSite.guards), with the names it reads. */
  guards: { from: number; to: number; names: string[] }[];
}

/** Nodes with a condition: a read in it decides what the code does. */
const BRANCHING = new Set(['if_statement', 'while_statement', 'do_statement', 'for_statement', 'switch_statement', 'conditional_expression']);

/** The node types factsOf() looks at; every other node only holds them. */
const FACT_TYPES = [
  ...DECLARATION_TYPES,
  ...BRANCHING,
  'identifier',
  'field_expression',
  'call_expression',
  'assignment_expression',
  'init_declarator',
  'update_expression',
];

/**
 * The facts of a subtree: a whole body, or one statement of a module init. tree-sitter hands
 * over the nodes that matter (calls, assignments, names) in document order, a node before what
 * it holds, in one call: stepping a cursor over every node instead costs a round trip into
 * WebAssembly per step, and a kernel function has thousands of nodes.
 */
export function factsOf(fn: ParsedFunction, node: Node): Facts {
  const declared = new Set(fn.params);
  const whole = node.id === fn.body?.id;
  const walk: Walk = {
    fn,
    facts: { calls: [], refs: [] },
    aliases: new Map(),
    throughPointer: new Set(),
    allocations: new Map(),
    members: new Map(),
    locals: whole ? declared : fn.locals,
    guards: [],
  };
  // Conditions come before what they contain, so their ranges are known when their names are met.
  const conditions: [number, number][] = [];
  for (const current of node.descendantsOfType(FACT_TYPES)) {
    if (!current) continue;
    const type = current.type;
    if (DECLARATIONS.has(type)) for (const id of declaratorNames(current, fn.nameOf)) declared.add(id);
    if (BRANCHING.has(type)) {
      const condition = current.childForFieldName('condition');
      if (condition) conditions.push([condition.startIndex, condition.endIndex]);
      if (type === 'if_statement') noteGuards(walk, current);
    }
    if (type === 'identifier') {
      // A call through a function pointer reads the pointer (a function's own name is no state, and is dropped later).
      const name = fn.nameOf(current);
      const { row, column } = current.startPosition;
      const place = { file: fn.def.file, line: fn.def.line + row, column: column + 1 };
      const at = current.startIndex;
      const field = walk.members.get(at);
      const decides = conditions.some(([from, to]) => at >= from && at < to);
      walk.facts.refs.push({ name: walk.aliases.get(name) ?? name, write: false, place, ...(field ? { field } : {}), ...(decides ? { decides } : {}) });
    } else if (type === 'field_expression') {
      noteMember(walk, current);
    } else if (type === 'call_expression') {
      recordCall(walk, current);
    } else if (type === 'assignment_expression') {
      // `sd = per_cpu_ptr(&x, cpu)` writes the pointer, not x; writes through sd later are x's.
      const left = current.childForFieldName('left');
      const right = current.childForFieldName('right');
      const allocated = allocationIn(walk, right);
      const plain = current.childForFieldName('operator')?.text === '=';
      recordWrite(walk, left, allocated, plain && isConstant(fn, right), plain && isNullValue(right));
      noteAlias(walk, left, right);
      noteAllocation(walk, left, allocated);
    } else if (type === 'init_declarator') {
      const name = innermostIdentifier(current.childForFieldName('declarator'));
      const value = current.childForFieldName('value');
      noteAlias(walk, name, value);
      noteAllocation(walk, name, allocationIn(walk, value));
    } else if (type === 'update_expression') {
      recordWrite(walk, current.childForFieldName('argument'));
    }
  }
  // Locals shadow file-scope state. A whole body declares its own; a statement of it is judged
  // against the whole function's.
  const hidden = whole ? declared : fn.locals;
  walk.facts.refs = walk.facts.refs.filter((ref) => !hidden.has(ref.name));
  return walk.facts;
}

/** The state a pointer expression points into: `&x`, `&x.f`, `per_cpu_ptr(&x, cpu)`, `this_cpu_ptr(&x)`. */
function pointee(fn: ParsedFunction, value: Node | null, type = value?.type): string | undefined {
  if (!value) return undefined;
  if (type === 'pointer_expression' && value.child(0)?.type === '&') return baseNameOf(fn, value.childForFieldName('argument'));
  if (type === 'call_expression' && ADDRESS_OF.has(value.childForFieldName('function')?.text ?? '')) return baseNameOf(fn, value);
  return undefined;
}

/** `x.f = …` with x a name: the member written or read with x (Reference.field). */
function noteMember(walk: Walk, node: Node): void {
  const object = node.childForFieldName('argument');
  if (object?.type !== 'identifier') return;
  const { name, operator } = walk.fn.memberOf(node);
  if (name && operator === '.') walk.members.set(object.startIndex, name);
}

function noteAlias(walk: Walk, target: Node | null | undefined, value: Node | null): void {
  if (target?.type !== 'identifier') return;
  const state = pointee(walk.fn, value);
  const name = walk.fn.nameOf(target);
  if (!state || !walk.locals.has(name)) return;
  walk.aliases.set(name, state);
  const first = value?.type === 'call_expression' ? value.childForFieldName('arguments')?.namedChildren[0] : undefined;
  if (first && first.type !== 'pointer_expression') walk.throughPointer.add(name);
}

/** Words an allocator's name has; an expression without one (and without a local holding memory) allocates nothing. */
const ALLOCATING = /alloc|get_free_page|get_zeroed_page|kmem_cache_create|workqueue|KMEM_CACHE/;

/** The allocator whose memory an expression holds: a call of one, or a local that holds some. */
function allocationIn(walk: Walk, value: Node | null): string | undefined {
  if (!value || (walk.allocations.size === 0 && !ALLOCATING.test(value.text))) return undefined;
  for (const node of [value, ...value.descendantsOfType(['call_expression', 'identifier'])]) {
    if (!node) continue;
    if (node.type === 'call_expression') {
      const name = node.childForFieldName('function')?.text ?? '';
      if (isAllocator(name)) return name;
    } else if (node.type === 'identifier') {
      const allocator = walk.allocations.get(walk.fn.nameOf(node));
      if (allocator !== undefined) return allocator;
    }
  }
  return undefined;
}

function noteAllocation(walk: Walk, target: Node | null | undefined, allocator: string | undefined): void {
  if (target?.type !== 'identifier' || !allocator) return;
  const name = walk.fn.nameOf(target);
  if (walk.locals.has(name)) walk.allocations.set(name, allocator);
}

function innermostIdentifier(node: Node | null): Node | undefined {
  while (node && node.type !== 'identifier') node = node.childForFieldName('declarator') ?? null;
  return node ?? undefined;
}

/**
 * Calls that only compute an address (`this_cpu_ptr(&x)`): the call they are handed to decides.
 * Not per_cpu(x, cpu), which is the variable itself, as x is: `__pa(per_cpu(x, cpu))` reads it.
 */
const ADDRESS_OF = new Set(['per_cpu_ptr', 'this_cpu_ptr', 'raw_cpu_ptr', '__this_cpu_ptr', 'per_cpu_ptr_nvhe_sym', 'this_cpu_ptr_nvhe_sym']);

/**
 * What an `if` guards, where its condition must hold for the code to run: the then-branch of
 * `if (x)`, what follows `if (!x) return;` in its block, and what lies between `if (!x) goto
 * out;` and `out:`. The names the condition reads guard the calls there. `if (x) return;` does
 * not: the code after it runs when x does not hold.
 */
function noteGuards(walk: Walk, node: Node): void {
  const condition = node.childForFieldName('condition');
  const consequence = node.childForFieldName('consequence');
  if (!condition || !consequence) return;
  const negated = /^\(\s*!(?!=)/.test(condition.text);
  const names = condition.text.match(/[A-Za-z_]\w*/g) ?? [];
  if (!negated) walk.guards.push({ from: consequence.startIndex, to: consequence.endIndex, names });
  const block = node.parent;
  if (!negated || node.childForFieldName('alternative') || block?.type !== 'compound_statement') return;
  const leaves = onlyStatement(consequence);
  if (leaves?.type === 'return_statement') walk.guards.push({ from: node.endIndex, to: block.endIndex, names });
  if (leaves?.type === 'goto_statement') {
    const label = leaves.childForFieldName('label')?.text;
    const target = block.namedChildren.find((c) => c?.type === 'labeled_statement' && c.childForFieldName('label')?.text === label);
    if (target && target.startIndex > node.endIndex) walk.guards.push({ from: node.endIndex, to: target.startIndex, names });
  }
}

/** The one statement a branch is: itself, or the only statement of its block. */
function onlyStatement(node: Node): Node | undefined {
  if (node.type !== 'compound_statement') return node;
  return node.namedChildCount === 1 ? (node.namedChildren[0] ?? undefined) : undefined;
}

function recordCall(walk: Walk, node: Node): void {
  const fn = walk.fn;
  const callee = calleeOf(fn, node.childForFieldName('function'));
  const argNodes = node.childForFieldName('arguments')?.namedChildren ?? [];
  if (callee?.kind === 'direct' && STORE_MACROS.has(callee.name)) {
    const value = argNodes[1] ?? null;
    recordWrite(walk, storedTo(argNodes), allocationIn(walk, value), isConstant(fn, value), isNullValue(value));
    return;
  }
  // Each argument's type asked once, and handed on: an ask is a call into WebAssembly.
  const argTypes = argNodes.map((arg) => arg?.type);
  const args = argNodes.map((arg, i) => (arg ? argumentName(fn, arg, argTypes[i]!) : undefined));
  const argNames = [...new Set(argNodes.flatMap((arg, i) => (arg ? namesIn(fn, arg, argTypes[i]!) : [])))];
  const at = node.startIndex;
  const guards = [...new Set(walk.guards.filter((g) => at >= g.from && at < g.to).flatMap((g) => g.names))];
  if (callee) walk.facts.calls.push({ callee, args, argNames, place: walk.fn.place(node), ...(guards.length > 0 ? { guards } : {}) });
  if (callee?.kind === 'direct' && PER_CPU_WRITERS.has(callee.name) && argNodes[0]) recordWrite(walk, argNodes[0]);
  if (callee?.kind === 'direct' && ADDRESS_OF.has(callee.name)) return;
  // An address handed to a call may be written by it: INIT_LIST_HEAD(&per_cpu(x, cpu)),
  // static_branch_enable(&k), list_add(&v->link, this_cpu_ptr(&x)), memset(sd, ...) where sd
  // points into x.
  for (const [i, arg] of argNodes.entries()) {
    if (!arg) continue;
    const type = argTypes[i]!;
    const into = pointee(fn, arg, type) !== undefined || (type === 'identifier' && walk.aliases.has(fn.nameOf(arg)));
    if (into) recordWrite(walk, type === 'pointer_expression' ? arg.childForFieldName('argument') : arg);
  }
}

/** The names an argument uses, read from its text (members and called names included: they are no state, and match none). */
function namesIn(fn: ParsedFunction, arg: Node, type: string): string[] {
  if (type === 'identifier') return [fn.nameOf(arg)];
  return arg.text.match(/[A-Za-z_]\w*/g) ?? [];
}

function calleeOf(fn: ParsedFunction, fnNode: Node | null): Callee | undefined {
  if (!fnNode) return undefined;
  const type = fnNode.type;
  if (type === 'identifier') return { kind: 'direct', name: fn.nameOf(fnNode) };
  if (type === 'field_expression') {
    const fieldNode = fnNode.childForFieldName('field');
    const field = fieldNode ? fn.nameOf(fieldNode) : undefined;
    return field ? { kind: 'field', field } : undefined;
  }
  if (type === 'call_expression') {
    const inner = fnNode.childForFieldName('function')?.text ?? '';
    const prefix = STATIC_CALLS.get(inner);
    const arg = fnNode.childForFieldName('arguments')?.namedChildren[0]?.text;
    if (prefix !== undefined && arg && /^\w+$/.test(arg)) return { kind: 'field', field: arg.startsWith(prefix) ? arg.slice(prefix.length) : arg };
  }
  if (type === 'parenthesized_expression') return calleeOf(fn, fnNode.namedChildren[0] ?? null);
  return undefined;
}

function argumentName(fn: ParsedFunction, arg: Node, type: string): string | undefined {
  if (type === 'identifier') return fn.nameOf(arg);
  if (type === 'pointer_expression') {
    const inner = arg.childForFieldName('argument');
    if (inner?.type === 'identifier') return fn.nameOf(inner);
  }
  return undefined;
}

/** The file-scope name at the base of an lvalue: x, x.f, x[i], *x, per_cpu(x, cpu), this_cpu_ptr(&x)->f. */
function baseNameOf(fn: ParsedFunction, node: Node | null): string | undefined {
  const base = lvalueBase(fn, node)?.base;
  return base && fn.nameOf(base);
}

/**
 * The base of an lvalue, and whether the lvalue reaches it through its value (`p->f`, `*p`,
 * `this_cpu_ptr(p)->f`: p is read) rather than as the object itself (`x.f`, `per_cpu(x, cpu)`,
 * `this_cpu_ptr(&x)->f`).
 */
function lvalueBase(fn: ParsedFunction, node: Node | null): { base: Node; throughValue: boolean; subscripted: boolean; field?: string } | undefined {
  let throughValue = false;
  let subscripted = false;
  let field: string | undefined;
  while (node) {
    switch (node.type) {
      case 'identifier':
        return { base: node, throughValue, subscripted, ...(field ? { field } : {}) };
      case 'field_expression': {
        const member = fn.memberOf(node);
        if (member.operator === '->') throughValue = true;
        field = member.operator === '.' ? member.name : undefined;
        node = node.childForFieldName('argument');
        break;
      }
      case 'subscript_expression':
        // p[cpu] = v through a pointer reads p; an array's element is the array itself (told apart by the file index).
        subscripted = true;
        field = undefined;
        node = node.childForFieldName('argument');
        break;
      case 'pointer_expression':
        throughValue = node.child(0)?.type === '*';
        node = node.childForFieldName('argument') ?? node.namedChildren.at(-1) ?? null;
        break;
      case 'parenthesized_expression':
      case 'cast_expression':
        node = node.childForFieldName('argument') ?? node.childForFieldName('value') ?? node.namedChildren.at(-1) ?? null;
        break;
      case 'call_expression': {
        const name = node.childForFieldName('function')?.text ?? '';
        if (!PER_CPU_ACCESSORS.has(name)) return undefined;
        // per_cpu(x, cpu) names the per-CPU object; the *_ptr accessors take its address (&x) or a pointer.
        const arg = node.childForFieldName('arguments')?.namedChildren[0] ?? null;
        if (ADDRESS_OF.has(name)) throughValue = arg?.type !== 'pointer_expression';
        node = arg;
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** NULL, false, 0, -1, VMENTER_L1D_FLUSH_AUTO: a value an undo puts back. */
function isConstant(fn: ParsedFunction, value: Node | null): boolean {
  if (!value) return false;
  const type = value.type;
  if (['null', 'true', 'false', 'number_literal'].includes(type)) return true;
  if (type === 'identifier') return /^(?:NULL|[A-Z][A-Z0-9_]*)$/.test(fn.nameOf(value));
  if (type === 'unary_expression' || type === 'parenthesized_expression' || type === 'cast_expression')
    return isConstant(fn, value.namedChildren.at(-1) ?? null);
  return false;
}

/** `NULL`, the value a pointer so written holds when it is not set up. */
function isNullValue(value: Node | null): boolean {
  return value?.text === 'NULL' || value?.type === 'null';
}

function recordWrite(walk: Walk, lvalue: Node | null, allocated?: string, constant = false, isNull = false): void {
  const found = lvalueBase(walk.fn, lvalue);
  if (!found) return;
  const base = walk.fn.nameOf(found.base);
  const name = walk.aliases.get(base) ?? base;
  const place = walk.fn.place(found.base);
  // A write through a pointer reads the pointer first, which must have been set up (allocated).
  // An alias of `&x` points at x itself.
  const alias = walk.aliases.has(base);
  const through = found.throughValue && (!alias || walk.throughPointer.has(base));
  if (through) walk.facts.refs.push({ name, write: false, place });
  else if (found.subscripted && !alias) walk.facts.refs.push({ name, write: false, place, ifPointer: true });
  walk.facts.refs.push({
    name,
    write: true,
    place,
    ...(through ? { through } : {}),
    ...(allocated && !found.throughValue ? { allocated } : {}),
    ...(constant ? { constant } : {}),
    ...(isNull && !found.field && !found.throughValue ? { null: true } : {}),
    ...(found.field ? { field: found.field } : {}),
  });
}
