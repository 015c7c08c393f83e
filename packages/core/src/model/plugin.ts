import type { RelatedLocation } from './finding.js';
import type { Location } from './location.js';
import type { StateDeclaration } from './profile.js';
import type { FailurePoint, SetUp, UndoEvidence, Unwinding } from './unwinding.js';

export interface Phase {
  id: string;
  summary?: string;
  /** The function the phase calls; for a plain assignment read from source, the variable assigned. */
  call: string;
  /** Read from source: the statement assigns `call` rather than calling it. */
  assigns?: boolean;
  initializes: string[];
  registers: string[];
  undo?: string;
  /** Why the phase needs undoing: read from source with --kernel, or declared. */
  undoEvidence?: UndoEvidence;
  /** Read from source: every call the C shows undoing it (`undo`, and the helpers and calls the undo goes through). */
  undoneBy?: string[];
  canFail: boolean;
  unwinds: string[];
  location: Location;
  /** Where each `unwinds` entry is written, by phase id. */
  unwindLocations: Map<string, Location>;
  /** Read from source: the statement has no effect later steps see (logging, a check that writes nothing). */
  effect?: 'none';
  /** Read from source: the same call made on other paths instead (under `else`, `#else`), which are this phase too. */
  alternatives?: Location[];
  /** Read from source: arch state the phase reads before anything in it writes it. */
  reads?: StateUse[];
}

/** State read (by a phase) or written (by a hook), read from source, with the chain that reaches it. */
export interface StateUse {
  state: string;
  /** The member, for a struct reached with `.`: kvm_caps.supported_xss is not kvm_caps.has_tsc_control. */
  field?: string;
  /** A read in a condition: the value decides what the code does. */
  decides?: boolean;
  via: string[];
  location: Location;
  chain?: RelatedLocation[];
}

export interface ModuleInit {
  init: string;
  file: string;
  summary?: string;
  phases: Phase[];
  location: Location;
  /** Read from source: where module init can fail and what each failure path leaves set up (declared modules: declaredUnwinding() of their phases). */
  unwinding?: Unwinding;
  /**
   * Read from the tree's Kconfig: the symbol that builds the module, and whether it can be a
   * module loaded at run time (`tristate`) or is built in only (`bool`: no userspace exists
   * while its initcall runs).
   */
  kconfig?: { symbol: string; loadable: boolean; text: string; location: Location };
}

export interface Requirement {
  state: string;
  via: string[];
  location: Location;
  /** With --kernel: the call chain in the source, from the hook to the read, for findings. */
  chain?: RelatedLocation[];
}

export interface HookImplementation {
  role: string;
  impl: string;
  via: string[];
  file?: string;
  summary?: string;
  noop: boolean;
  requires: Requirement[];
  initializes: string[];
  location: Location;
  /** With --kernel: every function the hook can reach, for the drift rule. */
  reaches?: string[];
  /** With --kernel, a setup hook that kvm_init() calls once (arch-init, hardware-setup): its own unwinding. */
  unwinding?: Unwinding;
  /** With --kernel: arch state the hook writes, member by member, with the chain to the write. */
  writes?: StateUse[];
}

/** A problem reading the kernel tree for one arch, reported by the source-analysis rule. */
export interface SourceProblem {
  severity: 'error' | 'warning';
  message: string;
  location: Location;
}

/** What a plugin derived from a kernel tree (--kernel) carries beside the derived model. */
export interface SourceFacts {
  /** The plugin as its manifest declares it for the tree's version; absent when it declares no such version. */
  declared?: Plugin;
  problems: SourceProblem[];
}

export interface Plugin {
  id: string;
  summary: string;
  /** The kernel version these declarations describe (one of `kernels`). */
  kernel: string;
  /** Every kernel version the manifest has declarations for, oldest first. */
  kernels: string[];
  /** The variant applied, if any (see --variant). */
  variant?: string;
  variants: string[];
  file: string;
  location: Location;
  modules: ModuleInit[];
  hooks: Map<string, HookImplementation>;
  state: Map<string, StateDeclaration>;
  /** Which call undoes which in this arch's code, beyond the shared table (kernel-source's undo-pairs). */
  undoPairs?: UndoPair[];
  /** Set when the plugin was derived from a kernel tree. */
  source?: SourceFacts;
}

/** `setup` and `undo` name functions, `*` standing for the same text in both: register_* and unregister_*. */
export interface UndoPair {
  setup: string;
  undo: string;
  /** The setup call allocates memory that must be freed. */
  allocates?: boolean;
}

/**
 * The failure points a manifest declares: each phase that can fail, with the earlier phases that
 * register something (`registers`, `undo`) and whether it `unwinds` them.
 */
export function declaredUnwinding(init: string, location: Location, phases: Phase[]): Unwinding {
  const failures: FailurePoint[] = [];
  const registered: { phase: Phase; setUp: SetUp }[] = [];
  for (const phase of phases) {
    if (phase.canFail) {
      const failure: FailurePoint = {
        location: phase.location,
        text: `phase "${phase.id}"`,
        failing: { step: phase.id, call: phase.call },
        missing: [],
        undone: [],
      };
      for (const earlier of registered) {
        const at = phase.unwindLocations.get(earlier.phase.id);
        if (phase.unwinds.includes(earlier.phase.id)) failure.undone.push({ setUp: earlier.setUp, call: earlier.setUp.undo, location: at ?? phase.location });
        else failure.missing.push(earlier.setUp);
      }
      failures.push(failure);
    }
    if (phase.undo || phase.registers.length > 0) {
      const setUp: SetUp = {
        step: phase.id,
        call: phase.call,
        location: phase.location,
        what: phase.registers.length > 0 ? phase.registers : [`what ${phase.call}() set up`],
        undo: phase.undo ?? 'its undo',
        evidence: phase.undoEvidence ?? { kind: 'declared', text: 'as the plugin declares', location: phase.location },
      };
      registered.push({ phase, setUp });
    }
  }
  return { function: init, location, failures };
}

/** The phase that calls kvm_init() (or whichever call a rule names). */
export function phaseCalling(module: ModuleInit, call: string): Phase | undefined {
  return module.phases.find((phase) => phase.call === call);
}
