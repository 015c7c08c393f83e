// What the statements of an init function are called and whether they do anything a later step
// can see: ids derived from the call (the same C gives the same ids, whatever a plugin
// declares), and logging and checks told apart from work.
import type { Facts } from './function-facts.js';
import type { InitStatement } from './init-flow.js';
import { statementSubject } from './init-flow.js';
import { isExternal } from './reach.js';
import type { Scope } from './scope.js';

/** Logging: prints, and changes nothing an init step can observe. */
const LOGGING = /^(?:pr_\w+|printk\w*|kvm_(?:info|err|debug|pr_unimpl|pr_err)\w*|dev_(?:info|err|warn|dbg|notice)\w*|pr_warn_once|WARN\w*|BUILD_BUG_ON\w*|might_sleep|trace_\w+|debug_sprintf_event|VM_EVENT|KVM_EVENT)$/;
/** A function outside the scope named as a question: is_*, *_supported, cpus_have_*, xics_on_xive… */
const PREDICATE = /^(?:is_\w+|\w+_is_\w+|has_\w+|\w+_has_\w+|cpu_has\w*|cpus_have\w*|boot_cpu_has\w*|static_cpu_has\w*|\w+_supported|\w+_available|\w+_enabled|\w+_on_\w+|sbi_spec_is_\w+|sbi_probe_extension|boot_cpu_type|kvm_get_mode|hypervisor_is_type|num_\w+|test_bit|IS_\w+)$/;

/** One id per statement, named after its call (or the state it assigns); a call made twice is told apart by what it is handed, then by its line. */
export function stepIds(statements: { call: string | undefined; facts: Facts; place: { line: number } }[]): string[] {
  const names = statements.map((s) => statementSubject(s).name);
  const withArg = names.map((name, i) => {
    if (names.indexOf(name) === names.lastIndexOf(name)) return name;
    const arg = statements[i]!.facts.calls[0]?.args.find((a) => a !== undefined);
    return arg ? `${name}(${arg})` : name;
  });
  return withArg.map((id, i) => (withArg.indexOf(id) === withArg.lastIndexOf(id) ? id : `${id}@${statements[i]!.place.line}`));
}

/** "kvm_init()" for a call, "kvm_arm_initialised = …" for an assignment, as messages write a step. */
export function callTextOf(statement: { call: string | undefined; facts: Facts }): string {
  const subject = statementSubject(statement);
  return subject.assigns ? `${subject.name} = …` : `${subject.name}()`;
}

/**
 * A statement nothing later can tell happened: a log line, or a check (a condition's call, or
 * a call whose result only a local keeps) of a function that writes no state and calls only
 * such functions, or, outside the scope, one named as a question.
 */
export function hasNoEffect(scope: Scope, statement: InitStatement): boolean {
  if (!statement.call) return false;
  if (LOGGING.test(statement.call)) return true;
  if (statement.facts.refs.some((r) => r.write && scope.variables.has(r.name))) return false;
  const def = scope.functions.has(statement.call) ? scope.definition(statement.call, statement.place.file) : undefined;
  if (!def || isExternal(def)) return PREDICATE.test(statement.call);
  return isPure(scope, def.name, def.file, 3, new Set());
}

function isPure(scope: Scope, name: string, file: string, depth: number, seen: Set<string>): boolean {
  if (LOGGING.test(name) || seen.has(name)) return true;
  seen.add(name);
  const def = scope.functions.has(name) ? scope.definition(name, file) : undefined;
  if (!def || isExternal(def)) return PREDICATE.test(name);
  if (depth === 0) return false;
  const facts = scope.info(def).facts;
  if (facts.refs.some((r) => r.write && scope.variables.has(r.name))) return false;
  return facts.calls.every((call) => call.callee.kind === 'direct' && isPure(scope, call.callee.name, def.file, depth - 1, seen));
}
