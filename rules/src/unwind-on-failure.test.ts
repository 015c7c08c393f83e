import type { FailurePoint, Plugin } from '@kvm-rules/core';
import { demoPlugin, derivedPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import rule from './unwind-on-failure.js';

function plugin(phases: string[]): string {
  return demoPlugin({
    phases,
    state: ['demo_notifier: { summary: A notifier, kind: global }', 'demo_table: { summary: A table, kind: global }'],
  });
}

/**
 * A plugin as --kernel reads it, whose module init's failure points are `failures` (in
 * arch/demo/kvm/main.c; its kvm_init() phase is on line 8).
 */
function readFromSource(failures: FailurePoint[]): Plugin {
  const plugin = derivedPlugin({ phases: [KVM_INIT_PHASE] });
  const [module] = plugin.modules;
  if (!module) throw new Error('the demo plugin has no module');
  const location = { file: 'arch/demo/kvm/main.c', line: 5, column: 1 };
  return { ...plugin, modules: [{ ...module, unwinding: { function: 'demo_init', location, failures } }] };
}

/** A failure point at `line` whose error is kvm_init()'s or the step's; `returns`: the line of a `return 0;` its failure path ends in. */
function failurePoint(line: number, step: { step: string; call: string }, returns?: number): FailurePoint {
  return {
    location: { file: 'arch/demo/kvm/main.c', line, column: 2 },
    text: 'if (r)',
    failing: step,
    missing: [],
    undone: [],
    ...(returns ? { returnsSuccess: { location: { file: 'arch/demo/kvm/main.c', line: returns, column: 2 }, text: 'return 0;' } } : {}),
  };
}

const kvmInitFails = { step: 'kvm_init', call: 'kvm_init()' };
const probeFails = { step: 'demo_probe', call: 'demo_probe()' };

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
      name: 'read from source: a failure path that gives the error back',
      plugins: readFromSource([failurePoint(9, kvmInitFails)]),
    },
    {
      name: 'a step that cannot fail needs no unwinding',
      plugins: plugin([notifier, '{ id: flush, call: flush_icache_range }', '{ id: kvm-init, call: kvm_init, canFail: true, unwinds: [notifier] }']),
    },
  ],
  invalid: [
    {
      name: "read from source: kvm_init()'s failure path ends in `return 0;`, reported at the return",
      plugins: readFromSource([failurePoint(9, kvmInitFails, 14)]),
      errors: [
        {
          messageId: 'errorLost',
          line: 14,
          data: { function: 'demo_init', failing: 'kvm_init()', paths: 'its failure path returns', lost: 'the error is lost', text: 'return 0;' },
        },
      ],
    },
    {
      name: 'read from source: two failure paths that end in the same `return 0;` are one finding',
      plugins: readFromSource([failurePoint(7, probeFails, 14), failurePoint(9, kvmInitFails, 14)]),
      errors: [
        {
          messageId: 'errorLost',
          line: 14,
          data: { failing: 'demo_probe() and kvm_init()', paths: 'their failure paths return', lost: 'the errors are lost' },
        },
      ],
    },
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
