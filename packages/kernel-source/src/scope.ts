// The C files one analysis looks at (an arch's KVM directory and virt/kvm), with the names
// they define, how calls resolve in them, and what each function does, parsed on first use.
import { dirname } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { cParser } from './c-parser.js';
import type { FunctionDefinition, InitializerEntry, InitializerTable, VariableDefinition } from './file-index.js';
import { factsOf, MAX_NESTING, parseFunction, type CallSite, type Facts, type ParsedFunction, type Place } from './function-facts.js';
import type { InitFlow } from './init-flow.js';
import type { KeptKey } from './kept-files.js';
import type { KernelTree } from './kernel-tree.js';

interface FunctionInfo {
  def: FunctionDefinition;
  facts: Facts;
}

/** Parse results shared by every scope over one tree, so a function is parsed once per run. */
export class ParseCache {
  readonly functions = new Map<string, FunctionInfo>();
  /** Init functions read path by path (init-flow.ts), by function; `reported`: parse problems were reported. */
  readonly flows = new Map<string, { flow: InitFlow; reported: boolean }>();
  private readonly scopes = new Map<string, Scope>();
  /** Functions read (parsed now or kept from an earlier parse): a figure that does not depend on the cache. */
  parsed = 0;
  constructor(
    readonly tree: KernelTree,
    /** tree-sitter, when the caller has it loaded; else loaded once a parse is needed (see withParser()). */
    private loaded?: Parser,
  ) {}

  /** The C parser; a ParserNotLoaded until withParser() has loaded it. */
  get parser(): Parser {
    if (!this.loaded) throw new ParserNotLoaded();
    return this.loaded;
  }

  /**
   * Runs a step of the analysis, loading tree-sitter and running the step again if it needed a
   * parse: a check of a tree whose every file an earlier run kept (kept-files.ts) parses
   * nothing, and loading the parser would be a twentieth of its time. A step may run twice: what
   * it leaves in this cache is complete results only, and a diagnostic said twice is said once.
   */
  async withParser<T>(step: () => T): Promise<T> {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ParserNotLoaded) || this.loaded) throw error;
      this.loaded = await cParser();
      return step();
    }
  }

  private readonly mentionIndexes = new Map<string, Map<string, string[]>>();

  /**
   * Identifier → the functions and tables of one file whose text names it; made once per file.
   * A name may be listed twice (two definitions of one function under #ifdef): readers ask
   * whether, not how often.
   */
  mentions(file: string): Map<string, string[]> {
    let index = this.mentionIndexes.get(file);
    if (index) return index;
    index = new Map();
    // Owners are noted in file order, so one already noted for a word is the list's last.
    const note = (word: string, by: string) => {
      const names = index.get(word);
      if (!names) index.set(word, [by]);
      else if (names[names.length - 1] !== by) names.push(by);
    };
    const { text, functions, tables } = this.tree.index(file);
    const word = /[A-Za-z_]\w*/g;
    for (const def of functions) {
      word.lastIndex = def.start;
      for (let m = word.exec(text); m && m.index < def.end; m = word.exec(text)) note(m[0], def.name);
    }
    for (const table of tables) for (const entry of table.entries) note(entry.value, table.name);
    this.mentionIndexes.set(file, index);
    return index;
  }

  private readonly names = new Map<string, ScopeNames>();

  /** The scope with this home and configuration, made from `files()` the first time it is asked for. */
  scope(home: string, files: () => string[], config = new Set<string>()): Scope {
    const key = `${home}|${[...config].sort().join(',')}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      // The names of one home's files are the same in every configuration: indexed once.
      let names = this.names.get(home);
      if (!names) this.names.set(home, (names = scopeNames(this.tree, files(), home)));
      scope = new Scope(this, names, config);
      this.scopes.set(key, scope);
    }
    return scope;
  }
}

/** A parse was needed before tree-sitter was loaded (ParseCache.withParser()). */
export class ParserNotLoaded extends Error {
  constructor() {
    super('tree-sitter is not loaded yet');
  }
}

export function functionKey(def: FunctionDefinition): string {
  return `${def.file}:${def.name}:${def.line}`;
}

/** What the files of one analysis define, by name. */
export interface ScopeNames {
  files: string[];
  /** Where this analysis's own code lives (a vendor module's directory): preferred when a name is ambiguous. */
  home: string;
  functions: Map<string, FunctionDefinition[]>;
  variables: Map<string, VariableDefinition>;
  tables: Map<string, InitializerTable>;
  /** Designated initializers by field name: `.hardware_enable = vmx_hardware_enable`. */
  fields: Map<string, { table: InitializerTable; entry: InitializerEntry }[]>;
}

export function scopeNames(tree: KernelTree, files: string[], home: string): ScopeNames {
  const names: ScopeNames = { files, home, functions: new Map(), variables: new Map(), tables: new Map(), fields: new Map() };
  for (const file of files) {
    const index = tree.index(file);
    for (const def of index.functions) push(names.functions, def.name, def);
    for (const v of index.variables) if (!names.variables.has(v.name) || v.file.startsWith(home)) names.variables.set(v.name, v);
    for (const table of index.tables) {
      names.tables.set(table.name, table);
      for (const entry of table.entries) if (entry.field) push(names.fields, entry.field, { table, entry });
    }
  }
  return names;
}

export class Scope {
  readonly files: string[];
  readonly home: string;
  readonly functions: ScopeNames['functions'];
  readonly variables: ScopeNames['variables'];
  readonly tables: ScopeNames['tables'];
  readonly fields: ScopeNames['fields'];

  constructor(
    readonly cache: ParseCache,
    names: ScopeNames,
    /** The configuration the code is read in: CONFIG_ symbols surely on (kconfig.ts). */
    readonly config: Set<string> = new Set(),
  ) {
    ({ files: this.files, home: this.home, functions: this.functions, variables: this.variables, tables: this.tables, fields: this.fields } = names);
  }

  get tree(): KernelTree {
    return this.cache.tree;
  }

  /** The definition a call by name reaches: a strong one over a __weak default, the caller's file first, then home. */
  definition(name: string, fromFile?: string): FunctionDefinition | undefined {
    const defs = this.functions.get(name);
    if (!defs || defs.length === 0) return undefined;
    const rank = (d: FunctionDefinition) => (d.weak ? 4 : 0) + (d.file === fromFile ? 0 : d.static ? 8 : 1) + (d.file.startsWith(this.home) ? 0 : 2);
    return [...defs].sort((a, b) => rank(a) - rank(b))[0];
  }

  /**
   * The functions an ops-table field may hold: those filled in home first (VMX's table, not
   * SVM's); else those in tables of home's parent directories or of generic code, never of a
   * sibling module (a field VMX leaves empty is not SVM's).
   */
  fieldTargets(field: string): { def: FunctionDefinition; entry: InitializerEntry; table: InitializerTable }[] {
    const entries = (this.fields.get(field) ?? []).filter(({ entry }) => this.functions.has(entry.value));
    const local = entries.filter(({ table }) => table.file.startsWith(this.home));
    const shared = entries.filter(({ table }) => this.home.startsWith(`${dirname(table.file)}/`) || table.file.startsWith('virt/'));
    return (local.length > 0 ? local : shared).flatMap(({ entry, table }) => {
      const def = this.definition(entry.value, table.file);
      return def ? [{ def, entry, table }] : [];
    });
  }

  /** The functions one call can reach: by name, or through an ops-table field. */
  resolve(call: CallSite, fromFile: string): FunctionDefinition[] {
    if (call.callee.kind === 'direct') {
      const def = this.definition(call.callee.name, fromFile);
      return def ? [def] : [];
    }
    return this.fieldTargets(call.callee.field).map((t) => t.def);
  }

  /** Functions passed as arguments (at `positions`, default all), directly or in a table passed by address: callbacks that call may run. */
  callbacks(call: CallSite, fromFile: string, positions?: number[]): FunctionDefinition[] {
    const found: FunctionDefinition[] = [];
    const seenTables = new Set<string>();
    for (const [position, name] of call.args.entries()) {
      if (name === undefined || (positions && !positions.includes(position))) continue;
      const def = this.functions.has(name) ? this.definition(name, fromFile) : undefined;
      if (def) found.push(def);
      else found.push(...this.tableFunctions(name, seenTables));
    }
    return found;
  }

  /**
   * The teardown callbacks registered for a CPU hotplug state (`cpuhp_setup_state*(state, name,
   * startup, teardown)`), which cpuhp_remove_state(state) runs on every online CPU.
   */
  cpuhpTeardowns(state: string): FunctionDefinition[] {
    const teardowns: FunctionDefinition[] = [];
    for (const name of new Set(this.mentionedBy(state))) {
      for (const def of this.functions.get(name) ?? []) {
        for (const call of this.info(def).facts.calls) {
          const setup = call.callee.kind === 'direct' && call.callee.name.startsWith('cpuhp_setup_state');
          if (setup && call.args[0] === state) teardowns.push(...this.callbacks(call, def.file, [3]));
        }
      }
    }
    return teardowns;
  }

  /** The functions and tables whose text names `word`; a file whose text has no such string is not indexed for it. */
  mentionedBy(word: string): string[] {
    return this.files.flatMap((file) => (this.tree.index(file).text.includes(word) ? (this.cache.mentions(file).get(word) ?? []) : []));
  }

  /** The functions a table holds, following tables it points to (kvm_dev → kvm_chardev_ops → kvm_dev_ioctl). */
  tableFunctions(name: string, seen = new Set<string>()): FunctionDefinition[] {
    const table = this.tables.get(name);
    if (!table || seen.has(name)) return [];
    seen.add(name);
    return table.entries.flatMap(({ value }) => {
      const def = this.functions.has(value) ? this.definition(value, table.file) : undefined;
      return def ? [def] : this.tableFunctions(value, seen);
    });
  }

  /**
   * The names from which `targets` can be reached: the targets, every function whose text
   * names one of them, every table holding one, and so on backwards. Found by reading text, not
   * by parsing, so a walk toward the targets parses only the functions on the way.
   */
  mentioning(targets: string[]): Set<string> {
    const indexes = this.files.map((file) => this.cache.mentions(file));
    const found = new Set(targets);
    const queue = [...targets];
    for (let word = queue.pop(); word !== undefined; word = queue.pop()) {
      for (const index of indexes) {
        for (const name of index.get(word) ?? []) {
          if (found.has(name)) continue;
          found.add(name);
          queue.push(name);
        }
      }
    }
    return found;
  }

  /** What a function does, parsed on first use. What tree-sitter cannot parse here is skipped, not reported: the rest of the function still counts. */
  info(def: FunctionDefinition): FunctionInfo {
    const config = this.configOf(def);
    const key = `${functionKey(def)}|${config}`;
    let info = this.cache.functions.get(key);
    if (!info) {
      info = { def, facts: this.read(def, config) };
      this.cache.functions.set(key, info);
    }
    return info;
  }

  /** A function's facts: as an earlier run's parse of the same file text left them, else parsed now (and kept). */
  private read(def: FunctionDefinition, config: string): Facts {
    const at = this.keptKey(def, config);
    const reading = at && this.tree.kept?.reading(at);
    if (reading) {
      this.cache.parsed++;
      this.noteReading(def, reading, false);
      return reading.facts;
    }
    const fn = this.parse(def, false);
    const facts = fn.body ? factsOf(fn, fn.body) : { calls: [], refs: [] };
    fn.dispose();
    if (at) this.tree.kept?.addReading(at, { facts, ...(fn.cutAt && { cutAt: fn.cutAt }), ...(fn.tooDeepAt && { tooDeepAt: fn.tooDeepAt }) });
    return facts;
  }

  /** Whether the scope defines `name` as a file-scope pointer. */
  isPointer(name: string): boolean {
    return this.variables.get(name)?.pointer === true;
  }

  /** Where what is read of `def` in the configuration `config` (configOf()) is kept between runs; undefined when nothing is kept. */
  keptKey(def: FunctionDefinition, config: string): KeptKey | undefined {
    const textHash = this.tree.kept && this.tree.hashOf(def.file);
    return textHash === undefined ? undefined : { file: def.file, textHash, key: `${def.name}:${def.line}|${config}` };
  }

  /**
   * The part of the configuration a function's reading depends on: the enabled symbols its text
   * names (most name none, and are read once for every module).
   */
  configOf(def: FunctionDefinition): string {
    if (this.config.size === 0) return '';
    const text = this.tree.index(def.file).text.slice(def.start, def.end);
    if (!text.includes('CONFIG_')) return '';
    return [...this.config]
      .filter((symbol) => text.includes(symbol))
      .sort()
      .join(',');
  }

  /**
   * Parses one function; the caller disposes of it. Where it `matters` (a module init, kvm_init()),
   * a part tree-sitter could not read is reported; elsewhere the facts of the rest still count.
   */
  parse(def: FunctionDefinition, matters: boolean): ParsedFunction {
    // The parser first: a step that stops here for want of it has counted nothing.
    const parser = this.cache.parser;
    this.cache.parsed++;
    const fn = parseFunction(parser, def, this.tree.index(def.file).text, this.config);
    this.noteReading(def, fn, matters);
    return fn;
  }

  /** Cut short, any function the analysis reads is said: what it does after that point is unknown. */
  noteReading(def: FunctionDefinition, reading: { tooDeepAt?: Place; cutAt?: Place; errors?: Place[] }, matters: boolean): void {
    if (reading.tooDeepAt) this.noteTooDeep(def, reading.tooDeepAt, matters);
    else if (def.unclosed) this.noteUnclosed(def, matters);
    else if (reading.cutAt) this.noteCutShort(def, reading.cutAt, matters);
    else if (matters && reading.errors && reading.errors.length > 0) this.noteParseErrors(def, reading.errors);
  }

  /**
   * A function whose body ends before its text does lost everything after that point: an error
   * for a module init or kvm_init(), whose ordering is what is checked; a warning for a function
   * they call.
   */
  private noteCutShort(def: FunctionDefinition, at: Place, matters: boolean): void {
    this.tree.diagnose(
      at,
      `tree-sitter's reading of ${def.name}() ends here, before the function does (a brace that does not match?): the rest of ${def.name}() is not analyzed, so findings that rest on it may be missing`,
      // An init function's ordering is the check itself; a helper's facts are part of it.
      matters ? 'error' : 'warning',
    );
  }

  /** A function the file ends inside: what it did past the end of the file is unknown. */
  private noteUnclosed(def: FunctionDefinition, matters: boolean): void {
    this.tree.diagnose(
      { file: def.file, line: def.line, column: 1 },
      `${def.file} ends inside ${def.name}(), before its closing brace (a truncated file?): what ${def.name}() does past the end of the file is unknown, so findings that rest on it may be missing`,
      matters ? 'error' : 'warning',
    );
  }

  private noteTooDeep(def: FunctionDefinition, at: Place, matters: boolean): void {
    this.tree.diagnose(
      at,
      `${def.name}() nests brackets deeper than ${MAX_NESTING} levels here; kvm-rules does not read that deep, so ${def.name}() is not analyzed and findings that rest on it may be missing`,
      matters ? 'error' : 'warning',
    );
  }

  private noteParseErrors(def: FunctionDefinition, errors: Place[]): void {
    const [first] = errors;
    if (!first) return;
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    this.tree.diagnose(first, `tree-sitter could not parse part of ${def.name}()${more}; the analysis skips what it could not read there`, 'warning');
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
