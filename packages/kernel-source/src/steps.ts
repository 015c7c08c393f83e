// What the statements of an init function are called and whether they do anything a later step
// can see: ids derived from the call (the same C gives the same ids, whatever a plugin
// declares), and logging and checks told apart from work.
import type { InitStatement } from './init-flow.js';
import { statementSubject } from './init-flow.js';
import { isExternal } from './reach.js';
import type { Scope } from './scope.js';

/** Logging: prints, and changes nothing an init step can observe. */
const LOGGING =
  /^(?:pr_\w+|printk\w*|kvm_(?:info|err|debug|pr_unimpl|pr_err)\w*|dev_(?:info|err|warn|dbg|notice)\w*|pr_warn_once|WARN\w*|BUILD_BUG_ON\w*|might_sleep|trace_\w+|debug_sprintf_event|VM_EVENT|KVM_EVENT)$/;
/** Closing a section the code opened: a lock released, preemption or interrupts on again. It puts back what was there. */
const RELEASING =
  /^(?:\w*_unlock(?:_irq|_bh|_irqrestore)?|\w*_read_unlock\w*|preempt_enable\w*|local_irq_enable|local_irq_restore|local_bh_enable|migrate_enable)$/;
/** A function outside the scope named as a question: is_*, *_supported, cpus_have_*, xics_on_xive… */
const PREDICATE =
  /^(?:is_\w+|\w+_is_\w+|has_\w+|\w+_has_\w+|cpu_has\w*|cpus_have\w*|boot_cpu_has\w*|static_cpu_has\w*|\w+_supported|\w+_available|\w+_enabled|\w+_on_\w+|sbi_spec_is_\w+|sbi_probe_extension|boot_cpu_type|kvm_get_mode|hypervisor_is_type|num_\w+|test_bit|IS_\w+)$/;

/**
 * One id per statement, named after its call (or the state it assigns). A call made again keeps
 * the first its plain name (so adding a call elsewhere renames nothing) and tells the others
 * apart by what they are handed (kvm_register_device_ops(kvm_xics_ops)), else by count (#2).
 */
export function stepIds(statements: InitStatement[], subject: Subject = statementSubject): string[] {
  const names = statements.map((s) => subject(s).name);
  const ids: string[] = [];
  names.forEach((name, i) => {
    const earlier = names.slice(0, i).filter((n) => n === name).length;
    if (earlier === 0) return ids.push(name);
    const arg = statements[i]!.facts.calls[0]?.args.find((a) => a !== undefined);
    const withArg = arg ? `${name}(${arg})` : undefined;
    ids.push(withArg && !ids.includes(withArg) ? withArg : `${name}#${earlier + 1}`);
  });
  return ids;
}

type Subject = (statement: InitStatement) => { name: string; assigns: boolean };

/**
 * What a statement is about, in a scope: its call, unless it assigns file-scope state and its
 * calls only compute the value (`kvm_s390_fac_base[i] |= stfle_fac_list[i] & nonhyp_mask(i)` is
 * about kvm_s390_fac_base, `kvm_vcpu_cache = kmem_cache_create(…)` about the call).
 */
export function subjectIn(scope: Scope): Subject {
  return (statement) => {
    if (statement.assigned && (!statement.call || isPure(scope, statement.call, statement.place.file, 3, new Set())))
      return { name: statement.assigned, assigns: true };
    return statementSubject(statement);
  };
}

/** "kvm_init()" for a call, "kvm_arm_initialised = …" for an assignment, as messages write a step. */
export function callTextOf(statement: InitStatement, subject: Subject = statementSubject): string {
  const { name, assigns } = subject(statement);
  return assigns ? `${name} = …` : `${name}()`;
}

/**
 * A statement nothing later can tell happened: a log line, a lock released, or a check (a
 * condition's call, or a call whose result only a local keeps) of a function that writes no
 * state and calls only such functions, or, outside the scope, one named as a question.
 */
export function hasNoEffect(scope: Scope, statement: InitStatement): boolean {
  if (!statement.call) return false;
  if (LOGGING.test(statement.call) || RELEASING.test(statement.call)) return true;
  if (statement.assigned || statement.facts.refs.some((r) => r.write && scope.variables.has(r.name))) return false;
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
