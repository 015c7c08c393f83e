import type { Location } from './location.js';

/**
 * Why a step needs undoing when a later one fails, strongest first: the module's own exit (or
 * the exit counterpart of a setup hook or of kvm_init()) undoes it; a failure path of the code
 * undoes it; it stores memory it allocated in file-scope state; its name pairs with an undo
 * function the tree has; the plugin declares it.
 */
export type UndoEvidenceKind = 'exit' | 'failure-path' | 'allocation' | 'naming-pair' | 'declared';

export interface UndoEvidence {
  kind: UndoEvidenceKind;
  /** In words, for messages: "module_exit(vmx_exit) undoes it through __vmx_exit() → vmx_cleanup_l1d_flush()". */
  text: string;
  /** Where the evidence is (the undoing call), when it is in source or in a plugin file. */
  location?: Location;
}

/** Something a step of an init function set up, that a failure after it must undo. */
export interface SetUp {
  /** The step: a phase id, a kvm_init() step id, or a call of a setup hook. */
  step: string;
  /** The step's call, as written in messages: "kvmppc_booke_init()", "kvm_arm_initialised = …". */
  call: string;
  location: Location;
  /** What stays set up: state, or what the call set up ("what kvm_init() set up"). */
  what: string[];
  /** The call that undoes it. */
  undo: string;
  evidence: UndoEvidence;
}

/** Where an init function gives an error back, and what its failure path leaves set up. */
export interface FailurePoint {
  /** The check, case or return where the error leaves the success path. */
  location: Location;
  /** Its source (first line) or, for a declared phase, the phase. */
  text: string;
  /** The step whose error this is; absent for a guard that fails on its own. */
  failing?: { step: string; call: string };
  /** Set up on some path to this point and not undone on the way back. */
  missing: SetUp[];
  /** Set up and undone by the failure path, with the call that does it. */
  undone: { setUp: SetUp; call: string; location: Location }[];
  /** Read from source: the failure path ends returning success (`return 0;` after the unwinding): the error is lost there. */
  returnsSuccess?: { location: Location; text: string };
}

/** The failure points of one init function: a module init, a setup hook, or kvm_init() itself. */
export interface Unwinding {
  function: string;
  location: Location;
  failures: FailurePoint[];
}

/** "kvm_init()" for a step named after its call, "\"booke-init\" (kvmppc_booke_init())" otherwise. */
export function describeStep(step: { step: string; call: string }): string {
  const call = step.call.endsWith(')') || step.call.endsWith('…') ? step.call : `${step.call}()`;
  return step.step === step.call || `${step.step}()` === call ? call : `"${step.step}" (${call})`;
}
