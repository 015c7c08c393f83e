import { demoPlugin, RuleTester } from '@kvm-rules/rule-tester';
import rule from './unwind-on-failure.js';

function plugin(phases: string[]): string {
  return demoPlugin({
    phases,
    state: ['demo_notifier: { summary: A notifier, kind: global }', 'demo_table: { summary: A table, kind: global }'],
  });
}

const notifier = '{ id: notifier, call: register_die_notifier, registers: [demo_notifier], undo: unregister_die_notifier }';
const table = '{ id: table, call: demo_alloc_table, registers: [demo_table], undo: demo_free_table, canFail: true }';

new RuleTester().run('unwind-on-failure', rule, {
  valid: [
    {
      name: 'the seed patch: the die notifier is unregistered when kvm_init() fails',
      plugins: plugin([notifier, '{ id: kvm-init, call: kvm_init, canFail: true, undo: kvm_exit, unwinds: [notifier] }']),
    },
    {
      name: 'registered after the last step that can fail',
      plugins: plugin(['{ id: kvm-init, call: kvm_init, canFail: true, undo: kvm_exit }', notifier]),
    },
    {
      name: 'a step that cannot fail needs no unwinding',
      plugins: plugin([notifier, '{ id: flush, call: flush_icache_range }', '{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [notifier] }']),
    },
  ],
  invalid: [
    {
      name: 'the seed patch without its unregister_die_notifier()',
      plugins: plugin([notifier, '{ id: kvm-init, call: kvm_init, canFail: true, undo: kvm_exit }']),
      errors: [
        {
          messageId: 'notUndone',
          line: 9,
          data: { failing: 'kvm-init', phase: 'notifier', what: 'demo_notifier', undo: 'unregister_die_notifier' },
        },
      ],
    },
    {
      name: 'one of two registrations is not undone',
      plugins: plugin([notifier, table, '{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [table] }']),
      errors: [
        { messageId: 'notUndone', data: { failing: 'table', phase: 'notifier' } },
        { messageId: 'notUndone', data: { failing: 'kvm-init', phase: 'notifier' } },
      ],
    },
  ],
});
