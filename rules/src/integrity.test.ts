import { demoPlugin, RuleTester } from '@kvm-rules/rule-tester';
import rule from './integrity.js';

function plugin(phases: string[], hooks = '{}'): string {
  return demoPlugin({ phases, hooks, state: ['demo_list: { summary: A list, kind: per-cpu }'] });
}

const kvmInit = '{ id: kvm-init, call: kvm_init, canFail: true }';

new RuleTester().run('integrity', rule, {
  valid: [
    {
      name: 'references that all resolve',
      plugins: plugin(
        ['{ id: list, call: INIT_LIST_HEAD, initializes: [demo_list], undo: demo_free }', '{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [list] }'],
        '{ hardware-disable: { impl: demo_disable, requires: [demo_list, vm_list] } }',
      ),
    },
  ],
  invalid: [
    {
      name: 'unknown state',
      plugins: plugin([kvmInit, '{ id: x, call: x_init, initializes: [demo_lsit] }']),
      errors: [{ messageId: 'unknownState', data: { name: 'demo_lsit' } }],
    },
    {
      name: 'unknown hook role',
      plugins: plugin([kvmInit], '{ hardware-enabel: { impl: demo_enable } }'),
      errors: [{ messageId: 'unknownHook', data: { role: 'hardware-enabel' } }],
    },
    {
      name: 'unwinding a phase that does not exist',
      plugins: plugin(['{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [notifer] }']),
      errors: [{ messageId: 'unknownPhase', data: { id: 'notifer' } }],
    },
    {
      name: 'unwinding a later phase',
      plugins: plugin(['{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [late] }', '{ id: late, call: late_init }']),
      errors: [{ messageId: 'unwindsLater', data: { id: 'late' } }],
    },
    {
      name: 'duplicate phase ids',
      plugins: plugin([kvmInit, '{ id: a, call: a_init }', '{ id: a, call: a_again }']),
      errors: [{ messageId: 'duplicateId', data: { id: 'a' } }],
    },
    {
      name: 'no kvm_init() phase',
      plugins: plugin(['{ id: a, call: a_init }']),
      errors: [{ messageId: 'kvmInitCount', data: { count: 0 } }],
    },
  ],
});
