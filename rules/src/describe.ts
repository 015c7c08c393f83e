import type { StateInitializer } from '@kvm-rules/core';

/** "by phase loaded-vmcss-init of vmx_init()" and the like, for messages. */
export function describeInitializer(by: StateInitializer): string {
  switch (by.kind) {
    case 'static':
      return 'statically';
    case 'phase':
      return `by phase "${by.phase.id}" (${callText(by.phase)}) of ${by.module.init}()`;
    case 'hook':
      return `by the ${by.call.role} hook ${by.call.hook?.impl ?? by.call.name}()`;
    case 'step':
      return `by kvm_init() step "${by.step.id}"`;
  }
}

export function listPhases(ids: string[]): string {
  return ids.map((id) => `"${id}"`).join(', ');
}

/** "foo()" for a phase that calls foo, "foo = …" for one read from source that assigns foo. */
export function callText(phase: { call: string; assigns?: boolean }): string {
  return phase.assigns ? `${phase.call} = …` : `${phase.call}()`;
}
