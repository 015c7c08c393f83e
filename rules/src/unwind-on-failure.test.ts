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
          data: {
            function: 'demo_init',
            failing: '"kvm-init" (kvm_init())',
            setUp: '"notifier" (register_die_notifier())',
            what: 'demo_notifier stays set up',
            undo: 'unregister_die_notifier',
            evidence: 'as the plugin declares',
            others: '',
          },
        },
      ],
    },
    {
      name: 'one of two registrations is not undone, at two failure points: reported once, where it is first left set up',
      plugins: plugin([notifier, table, '{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [table] }']),
      errors: [
        {
          messageId: 'notUndone',
          line: 9,
          data: { failing: '"table" (demo_alloc_table())', setUp: '"notifier" (register_die_notifier())', others: '; the same at 1 more failure point' },
        },
      ],
    },
    {
      name: 'a phase that declares an undo but no registrations: what its call set up stays',
      plugins: plugin(['{ id: vendor, call: demo_vendor_init, undo: demo_vendor_exit }', '{ id: kvm-init, call: kvm_init, canFail: true }']),
      errors: [
        {
          messageId: 'notUndone',
          data: { setUp: '"vendor" (demo_vendor_init())', what: 'what demo_vendor_init() set up stays set up', undo: 'demo_vendor_exit' },
        },
      ],
    },
  ],
});
