// The paths through an init function (an arch's module init, a setup hook, kvm_init() itself) as
// the C runs them: the statements that run when all goes well, and, for every way the function
// can give an error back, where that path leaves the success path, whose error it returns, and
// the calls it makes from there to the return. The value a local holds is followed from the
// call that set it to the check or the return that uses it, so `r = a(); …; return r;`,
// `return f();`, `if (!p) return -ENOMEM;`, `r = a(); if (!r) r = b(); if (r) goto …` and
// `if (!r) return 0; undo(); return r;` are read for what they do. Branches the function cannot
// take on one path (a second `if (!in_hyp_mode)`, the same #ifdef twice) are not combined.
import type { Node } from 'web-tree-sitter';
import type { FunctionDefinition } from './file-index.js';
import { factsOf, STORE_MACROS, storedTo, type Callee, type Facts, type ParsedFunction, type Place } from './function-facts.js';
import type { KeptKey } from './kept-files.js';
import { functionKey, type Scope } from './scope.js';

export interface InitStatement {
  /** The function the statement calls (an ops-table field for static_call()-style calls); absent for a plain assignment. */
  call: string | undefined;
  /** The statement's source, first line, for messages. */
  text: string;
  place: Place;
  facts: Facts;
  /** Under an `if`, a `switch` or an `#ifdef`: not every configuration or run does it. */
  conditional: boolean;
  /** Inside a loop such as for_each_possible_cpu(). */
  loop: boolean;
  /** Part of an `if` condition: it decides a branch (a check such as kvm_is_vmx_supported()). */
  condition: boolean;
  /** What the conditions it runs under read (`if (!enable_ept)` before `allow_smaller_maxphyaddr = true`). */
  guards: Facts['refs'];
  /** Where the whole statement starts (its call may be further in: `x |= a[i] & mask(i)`). */
  start: Place;
  /** The file-scope state the statement assigns (`x = …`, `x |= …`, `x.f = …`), if it is an assignment to one. */
  assigned?: string;
  /** Some path returns this statement's error. */
  canFail: boolean;
  /** The calls on the failure paths that return its error, in the order they run. */
  undo: { call: string; place: Place }[];
}

/** A call or assignment made on a failure path, after the point where the path leaves success. */
export interface PathStep {
  call: string | undefined;
  text: string;
  place: Place;
  facts: Facts;
}

/** One way from a failure point to the return. */
export interface FailurePath {
  /** The statements done on this path before the point (indexes into `statements`), in order. */
  setUp: number[];
  /** What runs from the point to the return. */
  steps: PathStep[];
}

/** Where an error leaves the success path: a check, a switch case, or a return that gives an error back. */
export interface FailurePoint {
  place: Place;
  /** The source of the check or return, first line. */
  text: string;
  /** The statements whose error this returns (indexes into `statements`); none for a guard that fails on its own. */
  failing: number[];
  paths: FailurePath[];
  /** Where a failure path returns success instead of the error (`return 0;` at the end of the unwinding). */
  returnsSuccess?: { place: Place; text: string };
}

export interface InitFlow {
  def: FunctionDefinition;
  /** The success path's statements, in source order. */
  statements: InitStatement[];
  failures: FailurePoint[];
  /** Every step of every failure path, whichever point leads there. */
  failureSteps: PathStep[];
  /** The most calls of one function on one success path (two kvm_init() on one path is a bug; one per #ifdef branch is not). */
  mostCallsOnOnePath(call: string): number;
  /** Paths were cut short (a goto loop, or too many paths): what was followed is still here. */
  truncated: boolean;
}

/** Continuing paths kept apart before those with the same values are merged. */
const MAX_PATHS = 48;
/** Gotos followed on one path: a backward goto (a retry loop) would go round forever. */
const MAX_JUMPS = 12;

/** Macros written like calls that call nothing. */
const NOT_CALLS = new Set([
  'IS_ENABLED',
  'IS_BUILTIN',
  'IS_MODULE',
  'IS_REACHABLE',
  'defined',
  'sizeof',
  'ARRAY_SIZE',
  'BIT',
  'BIT_ULL',
  'GENMASK',
  'offsetof',
  'offsetofend',
  '__alignof__',
  'THIS_MODULE',
  'KBUILD_MODNAME',
]);
/** Macros that only wrap the expression they test: the calls inside them are the statement's. */
const WRAPPERS = new Set(['unlikely', 'likely', 'WARN_ON', 'WARN_ON_ONCE', 'WARN', 'WARN_ONCE']);
const ERROR_TESTS = new Set(['IS_ERR', 'IS_ERR_OR_NULL']);
const STATUS_TYPES = new Set(['int', 'long', 'ssize_t', 's32', 's64', 'int32_t', 'int64_t']);

type Kind = 'status' | 'pointer';

/** What a status or pointer variable may hold: success, an error (or NULL), and the statements it came from. */
interface Value {
  ok: boolean;
  failed: boolean;
  from: number[];
}

type Event = { kind: 'stmt'; index: number } | Branch;

/** A branch taken: an if's arm, a switch case; `checks` are the statements of its condition. */
interface Branch {
  kind: 'branch';
  key: string;
  place: Place;
  text: string;
  checks: number[];
}

/** A path's history as a DAG: merged paths share their past. */
interface Trace {
  seq: number;
  event: Event | undefined;
  parents: Trace[];
}

interface Path {
  trace: Trace;
  values: Map<string, Value>;
  /** Opaque conditions decided on this path, by normalized text. */
  conds: Map<string, boolean>;
  jumps: number;
}

interface Completion {
  path: Path;
  failed: boolean;
  from: number[];
  place: Place;
  text: string;
  /** A return of success on a path whose error a check had found: the error is lost there. */
  lost?: true;
}

interface Context {
  conditional: boolean;
  loop: boolean;
  /** The conditions of the branches the code is in. */
  guards: Node[];
}

interface Flow {
  normal: Path[];
  /** Paths that left a loop or switch with `break` (or `continue`, read as leaving: one iteration is followed). */
  broken: Path[];
}

/** The test a condition makes, in terms the paths can refine. */
type Test =
  | { kind: 'value'; name: string; when: 'ok' | 'failed' }
  | { kind: 'key'; key: string; when: boolean }
  | { kind: 'not'; test: Test }
  | { kind: 'and' | 'or'; parts: Test[] };

interface Registered {
  statement: InitStatement;
  start: number;
}

/**
 * An init function's paths as data, kept between runs (kept-files.ts): with mostCallsOnOnePath()'s
 * answers, what the reading took from outside the function, and the parse's problems.
 */
export interface KeptFlow {
  flow: Pick<InitFlow, 'statements' | 'failures' | 'failureSteps' | 'truncated'>;
  /** mostCallsOnOnePath() of each call the success path makes (0 for any other). */
  callsOnOnePath: Record<string, number>;
  /** The file-scope names whose kind the reading asked the scope, and whether each was a pointer: the paths hold while every answer does. */
  pointers: Record<string, boolean>;
  errors: Place[];
  cutAt?: Place;
  tooDeepAt?: Place;
}

/** Reads an init function; `matters`: a part tree-sitter cannot parse is reported (module inits, kvm_init()). */
export function readInitFunction(scope: Scope, def: FunctionDefinition, matters = true): InitFlow {
  const config = scope.configOf(def);
  const key = `${functionKey(def)}|${config}`;
  const cached = scope.cache.flows.get(key);
  if (cached && (!matters || cached.reported)) return cached.flow;
  const at = scope.keptKey(def, config);
  const flow = (at && keptFlow(scope, def, at, matters)) ?? readFlow(scope, def, at, matters);
  scope.cache.flows.set(key, { flow, reported: matters });
  return flow;
}

/** The paths an earlier run read from the same text, if what they took from the scope still holds. */
function keptFlow(scope: Scope, def: FunctionDefinition, at: KeptKey, matters: boolean): InitFlow | undefined {
  const kept = scope.tree.kept?.flow(at);
  if (!kept || !Object.entries(kept.pointers).every(([name, pointer]) => scope.isPointer(name) === pointer)) return undefined;
  scope.cache.parsed++;
  scope.noteReading(def, kept, matters);
  const { statements, failures, failureSteps, truncated } = kept.flow;
  const most = kept.callsOnOnePath;
  return { def, statements, failures, failureSteps, mostCallsOnOnePath: (call) => most[call] ?? 0, truncated };
}

/** Parses and reads the paths now, and keeps them at `at` (when anything is kept). */
function readFlow(scope: Scope, def: FunctionDefinition, at: KeptKey | undefined, matters: boolean): InitFlow {
  const fn = scope.parse(def, matters);
  try {
    const reader = new Reader(fn, scope);
    const flow = reader.read();
    if (at) scope.tree.kept?.addFlow(at, toKeep(flow, reader.pointers, fn));
    return flow;
  } finally {
    fn.dispose();
  }
}

function toKeep(flow: InitFlow, pointers: Map<string, boolean>, fn: ParsedFunction): KeptFlow {
  const { statements, failures, failureSteps, truncated } = flow;
  const calls = new Set(statements.flatMap((s) => (s.call === undefined ? [] : [s.call])));
  return {
    flow: { statements, failures, failureSteps, truncated },
    callsOnOnePath: Object.fromEntries([...calls].map((call) => [call, flow.mostCallsOnOnePath(call)])),
    pointers: Object.fromEntries(pointers),
    errors: fn.errors,
    ...(fn.cutAt && { cutAt: fn.cutAt }),
    ...(fn.tooDeepAt && { tooDeepAt: fn.tooDeepAt }),
  };
}

class Reader {
  private seq = 0;
  /** The statements made so far, by index: an event's or a path's index is one of them. */
  private readonly registry: Registered[] = [];
  private readonly byNode = new Map<string, number[]>();
  private readonly completions: Completion[] = [];
  private readonly labels = new Map<string, Node>();
  private readonly kinds = new Map<string, Kind>();
  /**
   * Locals whose address is handed out (`c.ret = &r`), with the locals that hold it (c): a call
   * handed one of those may set the local behind the reading's back.
   */
  private readonly escaped = new Map<string, Set<string>>();
  private readonly guardFacts = new Map<number, Facts['refs']>();
  /** A canonical text of each values and conditions map, by identity: paths that change neither share them. */
  private readonly stateKeys = new WeakMap<Map<string, unknown>, string>();
  private truncated = false;
  /** What kindOf() asked the scope: whether each file-scope name is a pointer (for KeptFlow). */
  readonly pointers = new Map<string, boolean>();

  constructor(
    private readonly fn: ParsedFunction,
    private readonly scope: Scope,
  ) {}

  read(): InitFlow {
    const body = this.fn.body;
    if (!body) return this.result();
    for (const node of body.descendantsOfType('labeled_statement')) {
      const label = node?.childForFieldName('label')?.text;
      if (label) this.labels.set(label, node);
    }
    this.noteKinds(body);
    for (const taken of body.descendantsOfType('pointer_expression')) {
      const operand = taken?.childForFieldName('argument');
      if (taken?.child(0)?.type !== '&' || operand?.type !== 'identifier' || !this.kinds.has(operand.text)) continue;
      const holders = this.escaped.get(operand.text) ?? new Set([operand.text]);
      // `c.ret = &r`, `p = &r`: c and p hold it.
      const assignment = taken.parent?.type === 'assignment_expression' ? taken.parent : undefined;
      const holder = assignment && innermostName(assignment.childForFieldName('left'));
      if (holder) holders.add(holder);
      this.escaped.set(operand.text, holders);
    }
    // What the configuration settles is decided on every path (IS_ENABLED(CONFIG_X) in a condition).
    const conds = new Map([...this.scope.config].map((symbol) => [symbol, true]));
    const start: Path = { trace: { seq: this.seq++, event: undefined, parents: [] }, values: new Map(), conds, jumps: 0 };
    const end = this.exec(body, [start], { conditional: false, loop: false, guards: [] });
    for (const path of [...end.normal, ...end.broken]) this.fallOff(path, body);
    return this.result();
  }

  // --- what the variables are ---------------------------------------------------------------

  /** Locals of an error-code type (int r) or a pointer type, and file-scope pointers: their values are followed. */
  private noteKinds(body: Node): void {
    for (const decl of body.descendantsOfType('declaration')) {
      if (!decl) continue;
      const type = decl.childForFieldName('type')?.text ?? '';
      for (const declarator of decl.childrenForFieldName('declarator')) {
        if (!declarator) continue;
        const target = declarator.type === 'init_declarator' ? declarator.childForFieldName('declarator') : declarator;
        const name = innermostName(target);
        if (!name) continue;
        if (target?.type === 'pointer_declarator') this.kinds.set(name, 'pointer');
        else if (STATUS_TYPES.has(type.replace(/^(?:const|signed)\s+/, ''))) this.kinds.set(name, 'status');
      }
    }
  }

  private kindOf(name: string): Kind | undefined {
    const local = this.kinds.get(name);
    if (local) return local;
    if (this.fn.locals.has(name)) return undefined;
    const pointer = this.scope.isPointer(name);
    this.pointers.set(name, pointer);
    return pointer ? 'pointer' : undefined;
  }

  // --- statements -----------------------------------------------------------------------------

  /** The statements an expression makes, once each however many paths run it: its calls, or a write of file-scope state. */
  private statementsOf(node: Node, ctx: Context, condition = false): number[] {
    const key = `${node.startIndex}:${node.endIndex}`;
    const known = this.byNode.get(key);
    if (known) return known;
    const calls = outerCalls(node);
    const text = node.text.split('\n')[0]!.trim().slice(0, 100);
    const guards = ctx.guards.flatMap((guard) => this.guardReads(guard));
    const assigned = assignedState(node, this.fn);
    const base = {
      text,
      conditional: ctx.conditional,
      loop: ctx.loop,
      condition,
      guards,
      start: this.fn.place(node),
      ...(assigned ? { assigned } : {}),
      canFail: false,
      undo: [],
    };
    const indexes: number[] = [];
    if (calls.length === 0) {
      const facts = factsOf(this.fn, node);
      if (facts.refs.some((r) => r.write)) indexes.push(this.register({ ...base, call: undefined, place: this.fn.place(node), facts }, node.startIndex));
    }
    for (const call of calls) {
      // The call's own facts, plus what the statement does with its result (`x = foo()` writes x).
      const facts = factsOf(this.fn, calls.length === 1 && node.type !== 'return_statement' ? node : call);
      const place = this.fn.place(call);
      const callee = facts.calls.find((c) => c.place.line === place.line && c.place.column === place.column)?.callee;
      indexes.push(this.register({ ...base, call: calleeName(callee), place, facts }, call.startIndex));
    }
    this.byNode.set(key, indexes);
    return indexes;
  }

  /** What a condition reads, once per condition however many statements it guards. */
  private guardReads(guard: Node): Facts['refs'] {
    let reads = this.guardFacts.get(guard.id);
    if (!reads) {
      reads = factsOf(this.fn, guard)
        .refs.filter((r) => !r.write)
        .map((r) => ({ ...r, decides: true }));
      this.guardFacts.set(guard.id, reads);
    }
    return reads;
  }

  private register(statement: InitStatement, start: number): number {
    const index = this.registry.length;
    this.registry.push({ statement, start });
    return index;
  }

  private run(paths: Path[], indexes: number[]): Path[] {
    if (indexes.length === 0) return paths;
    const handed = new Set(indexes.flatMap((i) => this.registry[i]!.statement.facts.calls.flatMap((c) => c.argNames)));
    const touched = [...this.escaped].filter(([, holders]) => [...holders].some((h) => handed.has(h))).map(([name]) => name);
    return paths.map((path) => {
      let trace = path.trace;
      for (const index of indexes) trace = { seq: this.seq++, event: { kind: 'stmt', index }, parents: [trace] };
      if (touched.length === 0) return { ...path, trace };
      const values = new Map(path.values);
      for (const name of touched) values.set(name, { ok: true, failed: true, from: [] });
      return { ...path, trace, values };
    });
  }

  private mark(path: Path, event: Event): Path {
    return { ...path, trace: { seq: this.seq++, event, parents: [path.trace] } };
  }

  // --- execution --------------------------------------------------------------------------------

  private exec(node: Node, paths: Path[], ctx: Context): Flow {
    if (paths.length === 0) return { normal: [], broken: [] };
    switch (node.type) {
      case 'compound_statement':
      case 'translation_unit':
        return this.sequence(node.namedChildren, paths, ctx);
      case 'expression_statement':
      case 'declaration':
        return { normal: this.expression(node, paths, ctx), broken: [] };
      case 'return_statement':
        this.ret(node, paths, ctx);
        return { normal: [], broken: [] };
      case 'goto_statement': {
        const label = node.childForFieldName('label')?.text;
        for (const path of paths) this.jump(label, path, ctx);
        return { normal: [], broken: [] };
      }
      case 'break_statement':
      case 'continue_statement':
        return { normal: [], broken: paths };
      case 'if_statement':
        return this.ifStatement(node, paths, ctx);
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        return this.loop(node, paths, ctx);
      case 'switch_statement':
        return this.switchStatement(node, paths, ctx);
      case 'labeled_statement':
        return this.sequence(
          node.namedChildren.filter((c) => c?.type !== 'statement_identifier'),
          paths,
          ctx,
        );
      case 'preproc_ifdef':
      case 'preproc_if':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.preprocessorBranch(node, paths, ctx);
      case 'preproc_else':
        return this.sequence(node.namedChildren, paths, { ...ctx, conditional: true });
      default:
        return { normal: paths, broken: [] };
    }
  }

  private sequence(children: (Node | null)[], paths: Path[], ctx: Context): Flow {
    let normal = paths;
    const broken: Path[] = [];
    for (const child of children) {
      if (!child || normal.length === 0) continue;
      const flow = this.exec(child, normal, ctx);
      normal = this.merged(flow.normal);
      broken.push(...flow.broken);
    }
    return { normal, broken };
  }

  private expression(node: Node, paths: Path[], ctx: Context): Path[] {
    const ran = this.run(paths, this.statementsOf(node, ctx));
    return ran.map((path) => this.assign(node, path));
  }

  /** What an assignment (or an initialized declaration) puts in a followed variable. */
  private assign(node: Node, path: Path): Path {
    const targets: [Node | null, Node | null][] = [];
    // Each node's type asked once: an ask is a call into WebAssembly.
    const collect = (n: Node, type: string) => {
      if (type === 'assignment_expression' && n.childForFieldName('operator')?.text === '=')
        targets.push([n.childForFieldName('left'), n.childForFieldName('right')]);
      if (type === 'init_declarator') targets.push([n.childForFieldName('declarator'), n.childForFieldName('value')]);
      for (const child of n.namedChildren) {
        if (!child) continue;
        const childType = child.type;
        if (childType !== 'call_expression') collect(child, childType);
      }
    };
    collect(node, node.type);
    if (targets.length === 0) return path;
    const values = new Map(path.values);
    const conds = new Map(path.conds);
    for (const [left, right] of targets) {
      const name = left?.type === 'identifier' ? left.text : innermostName(left);
      if (!name) continue;
      for (const key of conds.keys()) if (namesWord(key, name)) conds.delete(key);
      const kind = this.kindOf(name);
      if (!kind) continue;
      values.set(name, this.valueOf(right, path, kind));
    }
    return { ...path, values, conds };
  }

  private valueOf(node: Node | null, path: Path, kind: Kind): Value {
    if (!node) return { ok: true, failed: true, from: [] };
    // Read once: each read of a node's type crosses into WebAssembly.
    const type = node.type;
    if (type === 'parenthesized_expression' || type === 'cast_expression') return this.valueOf(node.namedChildren.at(-1) ?? null, path, kind);
    if (type === 'number_literal') return node.text === '0' ? (kind === 'status' ? ok() : failed()) : kind === 'status' ? failed() : ok();
    if (type === 'null' || node.text === 'NULL') return failed();
    if (isErrorConstant(node)) return failed();
    if (type === 'pointer_expression' && node.child(0)?.type === '&') return ok();
    if (type === 'identifier') return path.values.get(node.text) ?? { ok: true, failed: true, from: [] };
    if (type === 'call_expression') {
      const name = node.childForFieldName('function')?.text ?? '';
      if (name === 'PTR_ERR' || name === 'ERR_PTR') {
        const inner = node.childForFieldName('arguments')?.namedChildren[0];
        return { ok: false, failed: true, from: inner?.type === 'identifier' ? (path.values.get(inner.text)?.from ?? []) : [] };
      }
      if (WRAPPERS.has(name)) return this.valueOf(node.childForFieldName('arguments')?.namedChildren[0] ?? null, path, kind);
      return { ok: true, failed: true, from: this.byNode.get(`${node.startIndex}:${node.endIndex}`) ?? this.callIndexes(node) };
    }
    return { ok: true, failed: true, from: this.callIndexes(node) };
  }

  /** The statements made for the calls inside a node (they were registered when the statement ran). */
  private callIndexes(node: Node): number[] {
    const starts = new Set(outerCalls(node).map((c) => c.startIndex));
    return this.registry.flatMap((r, index) => (starts.has(r.start) ? [index] : []));
  }

  private ret(node: Node, paths: Path[], ctx: Context): void {
    const value = node.namedChildren.find((c) => c?.type !== 'comment') ?? null;
    const ran = value ? this.run(paths, this.statementsOf(node, ctx)) : paths;
    const place = this.fn.place(node);
    const text = node.text.split('\n')[0]!.trim();
    for (const path of ran) {
      // A function without a value returns success; so does one whose value the reading cannot tell apart from it.
      const result = value ? this.valueOf(value, path, 'status') : ok();
      // Success, surely, after a check found an error (`if (r) goto err;` … `err: …; return 0;`):
      // the path is that error's failure path, whatever it gives back.
      const errors = result.failed ? [] : this.knownErrors(path);
      if (errors.length > 0) this.completions.push({ path, failed: true, from: errors, place, text, lost: true });
      else if (result.ok) this.completions.push({ path, failed: false, from: [], place, text });
      if (result.failed) this.completions.push({ path, failed: true, from: result.from, place, text });
    }
  }

  /** The statements whose error code the path holds: status values a check found failed (a NULL pointer may be a choice). */
  private knownErrors(path: Path): number[] {
    const from = new Set<number>();
    for (const [name, value] of path.values) {
      if (value.failed && !value.ok && this.kindOf(name) === 'status') for (const index of value.from) from.add(index);
    }
    return [...from];
  }

  private fallOff(path: Path, body: Node): void {
    const place = this.fn.place(body);
    this.completions.push({ path, failed: false, from: [], place: { ...place, line: this.fn.def.lastLine + 1 }, text: '}' });
  }

  /** Follows `goto label` to the return: the label's statement, what follows it, and so on outwards. */
  private jump(label: string | undefined, path: Path, ctx: Context): void {
    const target = label ? this.labels.get(label) : undefined;
    if (!target || path.jumps >= MAX_JUMPS) {
      this.truncated = true;
      return;
    }
    let paths = this.exec(target, [{ ...path, jumps: path.jumps + 1 }], ctx).normal;
    let node: Node = target;
    const body = this.fn.body;
    while (node.id !== body?.id && node.parent && paths.length > 0) {
      const parent: Node = node.parent;
      if (isSequence(parent)) {
        const siblings = parent.namedChildren;
        const at = siblings.findIndex((c) => c?.id === node.id);
        paths = this.sequence(siblings.slice(at + 1), paths, ctx).normal;
      }
      node = parent;
    }
    if (body) for (const rest of paths) this.fallOff(rest, body);
  }

  private ifStatement(node: Node, paths: Path[], ctx: Context): Flow {
    const condition = node.childForFieldName('condition');
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    const branch = { ...ctx, conditional: true, guards: condition ? [...ctx.guards, condition] : ctx.guards };
    const checks = condition ? this.statementsOf(condition, ctx, true) : [];
    let before = this.run(paths, checks);
    if (condition) before = before.map((path) => this.assign(condition, path));
    const test = condition ? this.testOf(condition) : undefined;
    const yes: Path[] = [];
    const no: Path[] = [];
    for (const path of before) {
      const taken = test ? this.refine(test, path, true) : path;
      const skipped = test ? this.refine(test, path, false) : path;
      if (taken) yes.push(this.mark(taken, this.branchEvent(node, 'then', checks)));
      if (skipped) no.push(this.mark(skipped, this.branchEvent(node, 'else', checks)));
    }
    const then = consequence ? this.exec(consequence, yes, branch) : { normal: yes, broken: [] };
    const otherwise = alternative ? this.sequence(alternative.namedChildren, no, branch) : { normal: no, broken: [] };
    return { normal: this.merged([...then.normal, ...otherwise.normal]), broken: [...then.broken, ...otherwise.broken] };
  }

  private branchEvent(node: Node, outcome: string, checks: number[]): Branch {
    return { kind: 'branch', key: `${node.startIndex}:${outcome}`, place: this.fn.place(node), text: node.text.split('\n')[0]!.trim(), checks };
  }

  /** `#ifdef CONFIG_X`, `#if IS_ENABLED(CONFIG_X)`: a branch per configuration, with its `#else`. */
  private preprocessorBranch(node: Node, paths: Path[], ctx: Context): Flow {
    const name = node.childForFieldName('name')?.text;
    const condition = node.childForFieldName('condition')?.text;
    const negated = node.child(0)?.text === '#ifndef';
    const key = configKey(name ?? condition ?? node.text.split('\n')[0]!);
    const alternative = node.childForFieldName('alternative');
    const body = node.namedChildren.filter(
      (c) => c && c.id !== alternative?.id && !['identifier', 'name'].includes(c.type) && c.id !== node.childForFieldName('condition')?.id,
    );
    const test: Test = { kind: 'key', key, when: !negated };
    const yes: Path[] = [];
    const no: Path[] = [];
    for (const path of paths) {
      const taken = this.refine(test, path, true);
      const skipped = this.refine(test, path, false);
      if (taken) yes.push(taken);
      if (skipped) no.push(skipped);
    }
    const branch = { ...ctx, conditional: true };
    const then = this.sequence(body, yes, branch);
    const otherwise = alternative ? this.exec(alternative, no, branch) : { normal: no, broken: [] };
    return { normal: this.merged([...then.normal, ...otherwise.normal]), broken: [...then.broken, ...otherwise.broken] };
  }

  /** A loop's body is followed once: what it sets up, how it can fail. */
  private loop(node: Node, paths: Path[], ctx: Context): Flow {
    const condition = node.childForFieldName('condition');
    const inLoop = { ...ctx, loop: true };
    let before = paths;
    if (condition && node.type !== 'do_statement') before = this.run(before, this.statementsOf(condition, ctx, true));
    const body = node.childForFieldName('body');
    const flow = body ? this.exec(body, before, inLoop) : { normal: before, broken: [] };
    return { normal: this.merged([...flow.normal, ...flow.broken]), broken: [] };
  }

  /** Each case is entered on a path of its own and runs until `break`, falling through to the next. */
  private switchStatement(node: Node, paths: Path[], ctx: Context): Flow {
    const condition = node.childForFieldName('condition');
    const checks = condition ? this.statementsOf(condition, ctx, true) : [];
    const before = this.run(paths, checks);
    const cases = (node.childForFieldName('body')?.namedChildren ?? []).filter((c): c is Node => c?.type === 'case_statement');
    const branch = { ...ctx, conditional: true };
    const out: Path[] = [];
    for (let i = 0; i < cases.length; i++) {
      let entered = before.map((path) => this.mark(path, this.branchEvent(cases[i]!, 'case', [])));
      for (let j = i; j < cases.length && entered.length > 0; j++) {
        const value = cases[j]!.childForFieldName('value');
        const flow = this.sequence(
          cases[j]!.namedChildren.filter((c) => c?.id !== value?.id),
          entered,
          branch,
        );
        out.push(...flow.broken);
        entered = flow.normal;
      }
      out.push(...entered);
    }
    if (!cases.some((c) => c.child(0)?.type === 'default')) out.push(...before);
    return { normal: this.merged(out), broken: [] };
  }

  // --- conditions ---------------------------------------------------------------------------------

  private testOf(node: Node): Test {
    switch (node.type) {
      case 'parenthesized_expression':
        return this.testOf(node.namedChildren.find((c) => c?.type !== 'comment') ?? node);
      case 'assignment_expression': {
        const left = node.childForFieldName('left');
        return left ? this.testOf(left) : opaque(node);
      }
      case 'unary_expression':
        if (node.childForFieldName('operator')?.text === '!') {
          const inner = node.childForFieldName('argument');
          return inner ? { kind: 'not', test: this.testOf(inner) } : opaque(node);
        }
        return opaque(node);
      case 'call_expression': {
        const name = node.childForFieldName('function')?.text ?? '';
        const arg = node.childForFieldName('arguments')?.namedChildren[0] ?? null;
        if (WRAPPERS.has(name) && arg) return this.testOf(arg);
        if (ERROR_TESTS.has(name) && arg?.type === 'identifier' && this.kindOf(arg.text) === 'pointer')
          return { kind: 'value', name: arg.text, when: 'failed' };
        if (name === 'IS_ENABLED' || name === 'IS_BUILTIN') return { kind: 'key', key: configKey(node.text), when: true };
        return opaque(node);
      }
      case 'binary_expression':
        return this.binaryTest(node);
      case 'identifier': {
        const kind = this.kindOf(node.text);
        if (kind === 'status') return { kind: 'value', name: node.text, when: 'failed' };
        if (kind === 'pointer') return { kind: 'value', name: node.text, when: 'ok' };
        return opaque(node);
      }
      default:
        return opaque(node);
    }
  }

  private binaryTest(node: Node): Test {
    const operator = node.childForFieldName('operator')?.text;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return opaque(node);
    if (operator === '&&' || operator === '||') return { kind: operator === '&&' ? 'and' : 'or', parts: [this.testOf(left), this.testOf(right)] };
    const [variable, constant] = left.type === 'identifier' ? [left, right] : [right, left];
    const kind = variable.type === 'identifier' ? this.kindOf(variable.text) : undefined;
    if (!kind) return opaque(node);
    const zero = constant.text === '0' || constant.text === 'NULL';
    const failsWhenZero = kind === 'pointer';
    if (zero && operator === '==') return { kind: 'value', name: variable.text, when: failsWhenZero ? 'failed' : 'ok' };
    if (zero && operator === '!=') return { kind: 'value', name: variable.text, when: failsWhenZero ? 'ok' : 'failed' };
    if (kind === 'status' && constant.text === '0' && variable === left && operator === '<') return { kind: 'value', name: variable.text, when: 'failed' };
    if (kind === 'status' && constant.text === '0' && variable === left && operator === '>=') return { kind: 'value', name: variable.text, when: 'ok' };
    return opaque(node);
  }

  /** The path with the condition `outcome`, or undefined when the path cannot have it. */
  private refine(test: Test, path: Path, outcome: boolean): Path | undefined {
    switch (test.kind) {
      case 'value': {
        const want = outcome ? test.when : test.when === 'ok' ? 'failed' : 'ok';
        const value = path.values.get(test.name);
        if (!value) return path;
        if (want === 'ok' && !value.ok) return undefined;
        if (want === 'failed' && !value.failed) return undefined;
        const values = new Map(path.values);
        values.set(test.name, { ok: want === 'ok', failed: want === 'failed', from: value.from });
        return { ...path, values };
      }
      case 'key': {
        const want = outcome === test.when;
        const known = path.conds.get(test.key);
        if (known !== undefined) return known === want ? path : undefined;
        const conds = new Map(path.conds);
        conds.set(test.key, want);
        return { ...path, conds };
      }
      case 'not':
        return this.refine(test.test, path, !outcome);
      case 'and':
      case 'or': {
        // `a && b` true (or `a || b` false) holds each part; the other outcome holds one of them at
        // least. When the path leaves only one that can (`r && nested` false where nested is known
        // true: r is 0), that one holds; else which is not followed.
        const all = (test.kind === 'and') === outcome;
        if (all) {
          let refined: Path | undefined = path;
          for (const part of test.parts) refined = refined && this.refine(part, refined, outcome);
          return refined;
        }
        const possible = test.parts.flatMap((part) => this.refine(part, path, outcome) ?? []);
        if (possible.length === 1) return possible[0];
        return possible.length > 0 ? path : undefined;
      }
    }
  }

  /** Paths with the same values and decisions, merged once there are many: their pasts are kept as alternatives. */
  private merged(paths: Path[]): Path[] {
    if (paths.length <= MAX_PATHS) return paths;
    const groups = new Map<string, Path[]>();
    for (const path of paths) {
      const key = `${this.stateKey(path.values)}|${this.stateKey(path.conds)}`;
      const group = groups.get(key);
      if (group) group.push(path);
      else groups.set(key, [path]);
    }
    const merged = [...groups.values()].map((group) =>
      group.length === 1
        ? group[0]!
        : { ...group[0]!, trace: { seq: this.seq++, event: undefined, parents: group.map((p) => p.trace) }, jumps: Math.max(...group.map((p) => p.jumps)) },
    );
    if (merged.length > MAX_PATHS) {
      // Values that differ on every path: keep the decisions, forget which value came from where.
      this.truncated = true;
      return [{ ...merged[0]!, trace: { seq: this.seq++, event: undefined, parents: merged.map((p) => p.trace) }, values: new Map(), conds: new Map() }];
    }
    return merged;
  }

  private stateKey(map: Map<string, Value> | Map<string, boolean>): string {
    let key = this.stateKeys.get(map);
    if (key === undefined) {
      const entries: string[] = [];
      for (const [name, value] of map)
        entries.push(typeof value === 'boolean' ? `${name}=${+value}` : `${name}=${+value.ok}${+value.failed}:${value.from.join(',')}`);
      key = entries.sort().join(';');
      this.stateKeys.set(map, key);
    }
    return key;
  }

  // --- the result -----------------------------------------------------------------------------------

  private result(): InitFlow {
    const successEvents = new Set<string>();
    const onSuccess = new Set<number>();
    for (const done of this.completions.filter((c) => !c.failed)) {
      for (const event of eventsOf(done.path.trace)) {
        successEvents.add(eventKey(event));
        if (event.kind === 'stmt') onSuccess.add(event.index);
      }
    }
    // Success statements in source order; the index a failure refers to is re-numbered to match.
    const order = [...onSuccess].sort((a, b) => this.registry[a]!.start - this.registry[b]!.start);
    const renumber = new Map(order.map((old, i) => [old, i]));
    const statements = order.map((old) => ({ ...this.registry[old]!.statement, undo: [] as InitStatement['undo'] }));
    const points = new Map<string, FailurePoint>();
    for (const done of this.completions.filter((c) => c.failed)) {
      const events = eventsOf(done.path.trace);
      const at = events.findIndex((event) => !successEvents.has(eventKey(event)));
      const leaving = at === -1 ? undefined : events[at]!;
      const place = leaving?.kind === 'branch' ? leaving.place : leaving ? this.registry[leaving.index]!.statement.place : done.place;
      const text = leaving?.kind === 'branch' ? leaving.text : leaving ? this.registry[leaving.index]!.statement.text : done.text;
      const before = (at === -1 ? events : events.slice(0, at)).flatMap((e) => (e.kind === 'stmt' ? (renumber.get(e.index) ?? []) : []));
      const steps = (at === -1 ? [] : events.slice(at)).flatMap((e) => (e.kind === 'stmt' ? [this.step(e.index)] : []));
      const failing = this.failingAt(done, leaving).flatMap((i) => renumber.get(i) ?? []);
      const key = `${place.line}:${place.column}`;
      const point: FailurePoint = points.get(key) ?? { place, text, failing: [], paths: [] };
      for (const i of failing) if (!point.failing.includes(i)) point.failing.push(i);
      if (done.lost) point.returnsSuccess ??= { place: done.place, text: done.text };
      const setUp = [...new Set(before)];
      const signature = JSON.stringify([setUp, steps.map((s) => `${s.place.line}:${s.place.column}`)]);
      if (!point.paths.some((p) => JSON.stringify([p.setUp, p.steps.map((s) => `${s.place.line}:${s.place.column}`)]) === signature))
        point.paths.push({ setUp, steps });
      points.set(key, point);
    }
    const failures = [...points.values()].sort((a, b) => a.place.line - b.place.line || a.place.column - b.place.column);
    const failureSteps: PathStep[] = [];
    const seenSteps = new Set<string>();
    for (const point of failures) {
      point.failing.sort((a, b) => a - b);
      const calls = uniqueSteps(point.paths.flatMap((p) => p.steps)).flatMap((s) => (s.call ? [{ call: s.call, place: s.place }] : []));
      for (const index of point.failing) {
        const statement = statements[index]!;
        statement.canFail = true;
        for (const call of calls) if (!statement.undo.some((u) => samePlace(u.place, call.place))) statement.undo.push(call);
      }
      for (const step of point.paths.flatMap((p) => p.steps)) {
        const key = `${step.place.line}:${step.place.column}`;
        if (!seenSteps.has(key)) {
          seenSteps.add(key);
          failureSteps.push(step);
        }
      }
    }
    const counts = this.callCounts(renumber, statements);
    return {
      def: this.fn.def,
      statements,
      failures,
      failureSteps,
      mostCallsOnOnePath: (call) => counts(call),
      truncated: this.truncated,
    };
  }

  private step(index: number): PathStep {
    const { call, text, place, facts } = this.registry[index]!.statement;
    return { call, text, place, facts };
  }

  /** Whose error a failing path returns: the statements its value came from, the check's own calls, or the values the check tests. */
  private failingAt(done: Completion, leaving: Event | undefined): number[] {
    const failing = new Set(done.from);
    if (leaving?.kind === 'branch') {
      // The check's own calls (kvm_is_vmx_supported() in `if (!kvm_is_vmx_supported())`), and
      // what the values it found failed came from (`if (!p)` after `p = kzalloc()`).
      for (const index of leaving.checks) failing.add(index);
      for (const value of done.path.values.values()) if (!value.ok && value.failed) for (const from of value.from) failing.add(from);
    }
    return [...failing];
  }

  /** The most statements calling `call` on one success path, over the paths' DAG. */
  private callCounts(renumber: Map<number, number>, statements: InitStatement[]): (call: string) => number {
    const successTraces = this.completions.filter((c) => !c.failed).map((c) => c.path.trace);
    return (call) => {
      const memo = new Map<Trace, number>();
      const most = (trace: Trace): number => {
        const known = memo.get(trace);
        if (known !== undefined) return known;
        const at = trace.event?.kind === 'stmt' ? renumber.get(trace.event.index) : undefined;
        const own = at !== undefined && statements[at]!.call === call ? 1 : 0;
        const value = own + Math.max(0, ...trace.parents.map(most));
        memo.set(trace, value);
        return value;
      };
      return Math.max(0, ...successTraces.map(most));
    };
  }
}

/** `x = …`, `x[i] |= …`, `x.f = …` as a statement: the file-scope name assigned (not a local). */
function assignedState(node: Node, fn: ParsedFunction): string | undefined {
  const expression = node.type === 'expression_statement' ? node.namedChildren[0] : undefined;
  const store = expression?.type === 'call_expression' && STORE_MACROS.has(expression.childForFieldName('function')?.text ?? '');
  if (expression?.type !== 'assignment_expression' && !store) return undefined;
  let left = store ? storedTo(expression.childForFieldName('arguments')?.namedChildren ?? []) : expression.childForFieldName('left');
  while (left && left.type !== 'identifier') left = left.childForFieldName('argument') ?? null;
  return left && !fn.locals.has(left.text) ? left.text : undefined;
}

/** Whether `text` has `word` as a whole word. */
function namesWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    if (!/\w/.test(text[at - 1] ?? ' ') && !/\w/.test(text[at + word.length] ?? ' ')) return true;
  }
  return false;
}

function ok(): Value {
  return { ok: true, failed: false, from: [] };
}

function failed(): Value {
  return { ok: false, failed: true, from: [] };
}

function opaque(node: Node): Test {
  return { kind: 'key', key: node.text.replace(/\s+/g, ' ').trim(), when: true };
}

/** CONFIG_X for `#ifdef CONFIG_X`, `#if IS_ENABLED(CONFIG_X)`, `defined(CONFIG_X)` and `IS_ENABLED(CONFIG_X)` alike. */
function configKey(text: string): string {
  const config = /^\s*!?\s*(?:IS_ENABLED|IS_BUILTIN|defined)?\s*\(?\s*(CONFIG_\w+)\s*\)?\s*$/.exec(text);
  return config ? config[1]! : text.replace(/\s+/g, ' ').trim();
}

/** `-EINVAL`, `-ENOMEM`, `EIO` after a unary minus: an error code. */
function isErrorConstant(node: Node): boolean {
  if (node.type === 'unary_expression' && node.childForFieldName('operator')?.text === '-') {
    const arg = node.childForFieldName('argument');
    return !!arg && (/^E[A-Z0-9]+$/.test(arg.text) || (arg.type === 'number_literal' && arg.text !== '0'));
  }
  return false;
}

function isSequence(node: Node): boolean {
  return [
    'compound_statement',
    'preproc_ifdef',
    'preproc_if',
    'preproc_else',
    'preproc_elif',
    'preproc_elifdef',
    'case_statement',
    'labeled_statement',
  ].includes(node.type);
}

function innermostName(node: Node | null | undefined): string | undefined {
  while (node && node.type !== 'identifier') node = node.childForFieldName('declarator') ?? node.childForFieldName('argument') ?? null;
  return node?.text;
}

function eventKey(event: Event): string {
  return event.kind === 'stmt' ? `s${event.index}` : `b${event.key}`;
}

/** A path's events in the order they ran (every alternative of a merged past included). */
function eventsOf(trace: Trace): Event[] {
  const seen = new Set<Trace>();
  const ran: { seq: number; event: Event }[] = [];
  const stack = [trace];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (seen.has(node)) continue;
    seen.add(node);
    if (node.event) ran.push({ seq: node.seq, event: node.event });
    stack.push(...node.parents);
  }
  ran.sort((a, b) => a.seq - b.seq);
  const events: Event[] = [];
  const keys = new Set<string>();
  for (const { event } of ran) {
    const key = eventKey(event);
    if (keys.has(key)) continue;
    keys.add(key);
    events.push(event);
  }
  return events;
}

function samePlace(a: Place, b: Place): boolean {
  return a.line === b.line && a.column === b.column;
}

function uniqueSteps(steps: PathStep[]): PathStep[] {
  const seen = new Set<string>();
  return steps.filter((step) => {
    const key = `${step.place.line}:${step.place.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Calls not nested in another call: the statement's own calls, not their arguments. */
export function outerCalls(node: Node): Node[] {
  if (node.type === 'call_expression') {
    const name = node.childForFieldName('function')?.text ?? '';
    if (NOT_CALLS.has(name)) return [];
    if (!WRAPPERS.has(name) && !ERROR_TESTS.has(name) && !STORE_MACROS.has(name) && name !== 'PTR_ERR' && name !== 'IS_ERR_VALUE') return [node];
    return (node.childForFieldName('arguments')?.namedChildren ?? []).flatMap((arg) => (arg ? outerCalls(arg) : []));
  }
  return node.namedChildren.flatMap((child) => (child ? outerCalls(child) : []));
}

/** The name a call is made by: the function's, or the ops field's (`ops->hardware_enable()`). */
export function calleeName(callee: Callee): string;
export function calleeName(callee: Callee | undefined): string | undefined;
export function calleeName(callee: Callee | undefined): string | undefined {
  if (!callee) return undefined;
  return callee.kind === 'direct' ? callee.name : callee.field;
}

/** What a statement does, by name: the function it calls, or else the state it assigns. */
export function statementSubject(statement: { call: string | undefined; facts: Facts }): { name: string; assigns: boolean } {
  if (statement.call) return { name: statement.call, assigns: false };
  return { name: statement.facts.refs.find((r) => r.write)?.name ?? 'state', assigns: true };
}
