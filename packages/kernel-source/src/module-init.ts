// The statements of an init function (an arch's module init, or kvm_init() itself) in the
// order they run on the success path. Error checks (`if (r) goto err;`, `if (r) { undo; return r; }`)
// mark the statement before them as one that can fail, and the calls they make, with those
// after the goto's label, are that failure's unwinding: never more init work. So are the
// blocks after the final `return 0`.
import type { Node } from 'web-tree-sitter';
import type { FunctionDefinition } from './file-index.js';
import { factsOf, type Callee, type Facts, type ParsedFunction, type Place } from './function-facts.js';
import type { Scope } from './scope.js';

export interface InitStatement {
  /** The function the statement calls (an ops-table field for static_call()-style calls); absent for a plain assignment. */
  call: string | undefined;
  /** The statement's source, first line, for messages. */
  text: string;
  place: Place;
  facts: Facts;
  /** Under an `if` or an `#ifdef`: not every configuration or run does it. */
  conditional: boolean;
  /** Inside a loop such as for_each_possible_cpu(). */
  loop: boolean;
  /** An error check follows: when this fails, module init unwinds and returns. */
  canFail: boolean;
  /** The calls on this statement's failure path, in the order they run. */
  undo: { call: string; place: Place }[];
}

interface InitFunction {
  def: FunctionDefinition;
  statements: InitStatement[];
  /** Every call on a failure path, whichever statement (or guard) leads there. */
  failureCalls: { call: string; place: Place }[];
}

interface Walk {
  fn: ParsedFunction;
  statements: InitStatement[];
  failureCalls: { call: string; place: Place }[];
  labels: Map<string, Node>;
  done: boolean;
}

/** Reads an init function; `matters`: a part tree-sitter cannot parse is reported (module inits, kvm_init()). */
export function readInitFunction(scope: Scope, def: FunctionDefinition, matters = true): InitFunction {
  const fn = scope.parse(def, matters);
  try {
    const walk: Walk = { fn, statements: [], failureCalls: [], labels: labelsOf(fn.body), done: false };
    for (const child of fn.body?.namedChildren ?? []) {
      if (walk.done) break;
      if (child) visit(walk, child, { conditional: false, loop: false, top: true });
    }
    return { def, statements: walk.statements, failureCalls: walk.failureCalls };
  } finally {
    fn.dispose();
  }
}

interface Context {
  conditional: boolean;
  loop: boolean;
  top: boolean;
}

function labelsOf(body: Node | undefined): Map<string, Node> {
  const labels = new Map<string, Node>();
  for (const node of body?.descendantsOfType('labeled_statement') ?? []) {
    const label = node?.childForFieldName('label')?.text;
    if (label && node) labels.set(label, node);
  }
  return labels;
}

function visit(walk: Walk, node: Node, ctx: Context): void {
  switch (node.type) {
    case 'expression_statement':
    case 'declaration':
      addStatements(walk, node, ctx);
      return;
    case 'return_statement':
      addStatements(walk, node, ctx);
      if (ctx.top) walk.done = true;
      return;
    case 'if_statement':
      visitIf(walk, node, ctx);
      return;
    case 'for_statement':
    case 'while_statement':
    case 'do_statement':
      visitChildren(walk, node, { ...ctx, loop: true, top: false }, (child) => child.id === node.childForFieldName('body')?.id);
      return;
    case 'compound_statement':
      visitChildren(walk, node, { ...ctx, top: ctx.top });
      return;
    case 'labeled_statement':
      visitChildren(walk, node, ctx, (child) => child.type !== 'statement_identifier');
      return;
    case 'switch_statement': {
      const condition = node.childForFieldName('condition');
      if (condition) addStatements(walk, condition, ctx);
      visitChildren(walk, node.childForFieldName('body'), { ...ctx, conditional: true, top: false });
      return;
    }
    case 'case_statement':
      visitChildren(walk, node, ctx, (child) => child.id !== node.childForFieldName('value')?.id);
      return;
    case 'preproc_ifdef':
    case 'preproc_if':
    case 'preproc_else':
    case 'preproc_elif':
    case 'preproc_elifdef':
      // A `return` under #ifdef does not end the function in every configuration.
      visitChildren(walk, node, { ...ctx, conditional: true, top: false }, (child) => !['identifier', 'name', 'condition'].includes(fieldNameOf(node, child)));
      return;
  }
}

function fieldNameOf(parent: Node, child: Node): string {
  for (const name of ['name', 'condition']) if (parent.childForFieldName(name)?.id === child.id) return name;
  return child.type;
}

function visitChildren(walk: Walk, node: Node | null, ctx: Context, keep: (child: Node) => boolean = () => true): void {
  for (const child of node?.namedChildren ?? []) {
    if (walk.done) return;
    if (child && keep(child)) visit(walk, child, ctx);
  }
}

/**
 * An `if` whose branch leaves with an error: `goto err;`, `return r;`, `return -EOPNOTSUPP;`, or
 * a block ending so. `return 0;` and `return foo();` (a tail call) leave without failing.
 */
function leavesOnError(node: Node | null): boolean {
  if (!node) return false;
  if (node.type === 'compound_statement') return leavesOnError(node.namedChildren.filter((c) => c?.type !== 'comment').at(-1) ?? null);
  if (node.type === 'goto_statement') return true;
  if (node.type === 'return_statement') {
    const value = node.namedChildren[0];
    return !!value && !['0', 'true'].includes(value.text) && value.type !== 'call_expression';
  }
  return false;
}

/** `if (r)`, `if (ret < 0)`, `if (unlikely(err))` right after `r = foo(...)`: a check of what foo returned. */
function checksLastResult(walk: Walk, condition: Node | null): boolean {
  const last = walk.statements.at(-1);
  if (!condition || !last) return false;
  const tested = condition.text.replace(/^\(|\)$/g, '').replace(/^(?:unlikely|WARN_ON(?:_ONCE)?)\((.*)\)$/, '$1').trim();
  const name = /^!?\s*([A-Za-z_]\w*)(?:\s*(?:<|!=)\s*0)?$/.exec(tested)?.[1];
  const assigned = /^(?:[A-Za-z_][\w\s*]*\s)?([A-Za-z_]\w*)\s*=[^=]/.exec(last.text)?.[1];
  return !!name && name === assigned && last.call !== undefined;
}

/** `if (r) undo(); return r;`: a check whose branch does not leave, but the function does right after. */
function returnsRightAfter(node: Node): boolean {
  let next = node.nextNamedSibling;
  while (next?.type === 'comment') next = next.nextNamedSibling;
  return next?.type === 'return_statement';
}

function visitIf(walk: Walk, node: Node, ctx: Context): void {
  const condition = node.childForFieldName('condition');
  const consequence = node.childForFieldName('consequence');
  const alternative = node.childForFieldName('alternative');
  const branch = { ...ctx, conditional: true, top: false };
  const checksResult = checksLastResult(walk, condition);
  const failing = leavesOnError(consequence) || (checksResult && !alternative && returnsRightAfter(node));
  if (!failing) {
    if (condition) addStatements(walk, condition, ctx);
    if (consequence) visit(walk, consequence, branch);
    visitChildren(walk, alternative, branch);
    return;
  }
  // The condition's own calls are steps that can fail; with none (`if (r)`, `if (WARN_ON(r))`),
  // it checks the statement before, or else it is a guard that fails on its own (`if (!enabled)`).
  const before = walk.statements.length;
  if (condition) addStatements(walk, condition, ctx);
  const checked = walk.statements.length > before ? walk.statements.slice(before) : checksResult ? walk.statements.slice(-1) : [];
  const undo = failurePath(walk, consequence!);
  walk.failureCalls.push(...undo);
  for (const statement of checked) {
    statement.canFail = true;
    statement.undo.push(...undo);
  }
  visitChildren(walk, alternative, branch);
}

/** The calls an error branch makes, then those from its goto's label down to the return. */
function failurePath(walk: Walk, branch: Node): { call: string; place: Place }[] {
  const calls = topCalls(walk, branch);
  const target = branch.descendantsOfType('goto_statement')[0] ?? (branch.type === 'goto_statement' ? branch : null);
  const label = target?.childForFieldName('label')?.text;
  const start = label ? walk.labels.get(label) : undefined;
  if (start) {
    for (let node: Node | null = start; node; node = node.nextNamedSibling) {
      calls.push(...topCalls(walk, node));
      if (node.type === 'return_statement' || node.descendantsOfType('return_statement').length > 0) break;
    }
  }
  return calls;
}

function topCalls(walk: Walk, node: Node): { call: string; place: Place }[] {
  return outerCalls(node).flatMap((call) => {
    const name = calleeName(factsOf(walk.fn, call).calls[0]?.callee);
    return name ? [{ call: name, place: walk.fn.place(call) }] : [];
  });
}

/** Macros that only wrap the expression they test: the calls inside them are the statement's. */
const WRAPPERS = new Set(['unlikely', 'likely', 'WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE', 'IS_ERR', 'IS_ERR_OR_NULL', 'PTR_ERR', 'IS_ERR_VALUE']);

/** Calls not nested in another call: the statement's own calls, not their arguments. */
function outerCalls(node: Node): Node[] {
  if (node.type === 'call_expression') {
    if (!WRAPPERS.has(node.childForFieldName('function')?.text ?? '')) return [node];
    return (node.childForFieldName('arguments')?.namedChildren ?? []).flatMap((arg) => (arg ? outerCalls(arg) : []));
  }
  return node.namedChildren.flatMap((child) => (child ? outerCalls(child) : []));
}

export function calleeName(callee: Callee | undefined): string | undefined {
  if (!callee) return undefined;
  return callee.kind === 'direct' ? callee.name : callee.field;
}

function addStatements(walk: Walk, node: Node, ctx: Context): void {
  const calls = outerCalls(node);
  const text = node.text.split('\n')[0]!.trim().slice(0, 100);
  const base = { text, conditional: ctx.conditional, loop: ctx.loop, canFail: false };
  if (calls.length === 0) {
    const facts = factsOf(walk.fn, node);
    if (!facts.refs.some((r) => r.write)) return;
    walk.statements.push({ ...base, call: undefined, place: walk.fn.place(node), facts, undo: [] });
    return;
  }
  for (const call of calls) {
    // The call's own facts, plus what the statement does with its result (`x = foo()` writes x).
    const facts = factsOf(walk.fn, calls.length === 1 ? node : call);
    const callee = facts.calls.find((c) => c.place.line === walk.fn.place(call).line && c.place.column === walk.fn.place(call).column)?.callee;
    walk.statements.push({ ...base, call: calleeName(callee), place: walk.fn.place(call), facts, undo: [] });
  }
}

/** What a statement does, by name: the function it calls, or else the state it assigns. */
export function statementSubject(statement: InitStatement): { name: string; assigns: boolean } {
  if (statement.call) return { name: statement.call, assigns: false };
  return { name: statement.facts.refs.find((r) => r.write)?.name ?? 'state', assigns: true };
}

/** `base`, or `base-2`, `base-3`… when taken: ids for steps and phases named after what they do. */
export function uniqueId(ids: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  ids.add(id);
  return id;
}
