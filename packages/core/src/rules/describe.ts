import type { StateInitializer } from '../engine/timeline.js';

/** "by phase loaded-vmcss-init of vmx_init()" and the like, for messages. */
export function describeInitializer(by: StateInitializer): string {
  switch (by.kind) {
    case 'static':
      return 'statically';
    case 'phase':
      return `by phase "${by.phase.id}" (${callText(by.phase.call)}) of ${by.module.init}()`;
    case 'hook':
      return `by the ${by.call.role} hook ${by.call.hook?.impl ?? by.call.name}()`;
    case 'step':
      return `by kvm_init() step "${by.step.id}"`;
  }
}

export function listPhases(ids: string[]): string {
  return ids.map((id) => `"${id}"`).join(', ');
}

/** "foo()" for a call; a statement without one (an assignment read from source) as it is written. */
export function callText(call: string): string {
  return /^[A-Za-z_]\w*$/.test(call) ? `${call}()` : `\`${call}\``;
}
