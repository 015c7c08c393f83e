// The ordering before and after a patch, in the form of the seed's commit message: kvm_init()'s
// steps with the hooks each runs (and on which CPUs), and each arch's module init with where
// kvm_init() sits in it. A scope the patch changes is shown as one list, the steps both have in
// their order, with what the patch adds (+), removes (-) and moves (~) marked.
import { GENERIC_ARCH, type CheckOutcome, type Profile } from '@kvm-rules/core';
import { diffArrays } from 'diff';

export interface Step {
  id: string;
  /** What the step does, as a reviewer reads it: "smp_call_function_single: kvm_arch_check_processor_compat() on each online CPU". */
  text: string;
}

/** The generic ordering and every module init, each a list of steps. */
export interface Ordering {
  /** By scope: "kvm_init()" for the generic code, "<arch> <init>()" for a module init. */
  scopes: Map<string, { arch: string; steps: Step[] }>;
}

export interface OrderingChange {
  scope: string;
  arch: string;
  steps: { mark: ' ' | '+' | '-' | '~'; step: Step }[];
}

const ON: Partial<Record<string, string>> = { 'each-online-cpu': ' on each online CPU' };

/** The scope of the generic ordering. */
export const KVM_INIT_SCOPE = 'kvm_init()';

export function orderingOf(outcome: Pick<CheckOutcome, 'profile' | 'plugins'>): Ordering {
  const scopes = new Map<string, { arch: string; steps: Step[] }>();
  scopes.set(KVM_INIT_SCOPE, { arch: GENERIC_ARCH, steps: kvmInitSteps(outcome.profile) });
  for (const plugin of outcome.plugins) {
    for (const module of plugin.modules) {
      const steps = module.phases.map((phase) => ({
        id: phase.id,
        text: phase.call === 'kvm_init' ? 'kvm_init()' : phase.assigns ? `${phase.call} = …` : `${phase.call}()`,
      }));
      scopes.set(`${plugin.id} ${module.init}()`, { arch: plugin.id, steps });
    }
  }
  return { scopes };
}

function kvmInitSteps(profile: Profile): Step[] {
  return profile.kvmInit.map((step) => {
    const hooks = step.calls.map((call) => `${profile.hooks.get(call.role)?.name ?? call.role}()${ON[call.on] ?? ''}`);
    return { id: step.id, text: hooks.length > 0 ? `${step.id}: ${hooks.join(', ')}` : step.id };
  });
}

/** The scopes whose steps differ, each as one marked list; a scope only one side has is all added or all removed. */
export function orderingChanges(before: Ordering, after: Ordering): OrderingChange[] {
  const changes: OrderingChange[] = [];
  const scopes = [...new Set([...before.scopes.keys(), ...after.scopes.keys()])];
  for (const scope of scopes) {
    const was = before.scopes.get(scope);
    const now = after.scopes.get(scope);
    const steps = marked(was?.steps ?? [], now?.steps ?? []);
    if (steps.every((s) => s.mark === ' ')) continue;
    changes.push({ scope, arch: (now ?? was)?.arch ?? '', steps });
  }
  return changes;
}

/** One list from two: a step removed here and added there unchanged is a move, shown where it is now. */
function marked(was: Step[], now: Step[]): OrderingChange['steps'] {
  const valueOf = (step: Step) => `${step.id}\0${step.text}`;
  const parts = diffArrays(was.map(valueOf), now.map(valueOf));
  const removed = new Set(parts.filter((p) => p.removed).flatMap((p) => p.value));
  const added = new Set(parts.filter((p) => p.added).flatMap((p) => p.value));
  const steps: OrderingChange['steps'] = [];
  for (const part of parts) {
    for (const value of part.value) {
      const [id = '', text = ''] = value.split('\0');
      const step = { id, text };
      if (part.removed) {
        if (!added.has(value)) steps.push({ mark: '-', step });
      } else if (part.added) steps.push({ mark: removed.has(value) ? '~' : '+', step });
      else steps.push({ mark: ' ', step });
    }
  }
  return steps;
}
