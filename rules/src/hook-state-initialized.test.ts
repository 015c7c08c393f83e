import { demoPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import rule from './hook-state-initialized.js';

/** A plugin whose init initializes each of `before` before kvm_init() and each of `after` after it. */
function plugin({ before = [] as string[], after = [] as string[], hooks = '' }): string {
  const phase = (state: string) => `{ id: ${state}-init, call: init_${state}, initializes: [${state}] }`;
  return demoPlugin({
    phases: [...before.map(phase), KVM_INIT_PHASE, ...after.map(phase)],
    hooks,
    state: [
      'list: { summary: A per-CPU list, kind: per-cpu }',
      'area: { summary: A per-CPU area, kind: per-cpu }',
      'table: { summary: A static table, kind: global, static: true }',
    ],
  });
}

const disableReadsList = `
  hardware-disable:
    impl: demo_hardware_disable
    requires: [{ state: list, via: [demo_walk_list] }]`;

new RuleTester({ profile: 'tdx-v7' }).run('hook-state-initialized', rule, {
  valid: [
    { name: 'state initialized before kvm_init()', plugins: plugin({ before: ['list'], hooks: disableReadsList }) },
    {
      name: 'under v5.19 the hook first runs after module init',
      profile: 'v5.19',
      plugins: plugin({ after: ['list'], hooks: disableReadsList }),
    },
    {
      name: 'state initialized by an earlier hook inside kvm_init()',
      plugins: plugin({
        hooks: `
  hardware-setup: { impl: demo_setup, initializes: [area] }
  hardware-enable: { impl: demo_enable, requires: [area] }`,
      }),
    },
    { name: 'statically initialized state', plugins: plugin({ hooks: `\n  hardware-enable: { impl: demo_enable, requires: [table] }` }) },
    {
      name: 'a no-op hook requires nothing',
      plugins: plugin({ after: ['list'], hooks: `\n  hardware-disable: { impl: demo_disable, noop: true, requires: [list] }` }),
    },
    {
      name: 'roles option leaves other roles alone',
      options: { roles: ['hardware-enable'] },
      plugins: plugin({ after: ['list'], hooks: disableReadsList }),
    },
  ],
  invalid: [
    {
      name: 'the seed: hardware disable reads state initialized after kvm_init()',
      plugins: plugin({ after: ['list'], hooks: disableReadsList }),
      errors: [
        {
          messageId: 'initializedLater',
          arch: 'demo',
          line: 13,
          data: { role: 'hardware-disable', state: 'list', name: 'kvm_arch_hardware_disable', via: ' through demo_walk_list()' },
        },
      ],
    },
    {
      name: 'state that nothing initializes',
      plugins: plugin({ hooks: `\n  hardware-enable: { impl: demo_enable, requires: [area] }` }),
      errors: [{ messageId: 'neverInitialized', data: { state: 'area' } }],
    },
    {
      name: 'what if: v6.12 no longer calls the hook that initialized the state',
      profile: 'v6.12',
      plugins: plugin({
        hooks: `
  hardware-setup: { impl: demo_setup, initializes: [area] }
  hardware-enable: { impl: demo_enable, requires: [area] }`,
      }),
      errors: [{ messageId: 'initializerNotCalled', data: { state: 'area', name: 'kvm_arch_enable_virtualization_cpu' } }],
    },
    {
      name: 'one report per hook and state, however often the hook runs',
      plugins: plugin({
        after: ['list', 'area'],
        hooks: `
  hardware-enable: { impl: demo_enable, requires: [area] }
  hardware-disable: { impl: demo_disable, requires: [list, area] }`,
      }),
      errors: [
        { messageId: 'initializedLater', data: { role: 'hardware-enable', state: 'area' } },
        { messageId: 'initializedLater', data: { role: 'hardware-disable', state: 'list' } },
        { messageId: 'initializedLater', data: { role: 'hardware-disable', state: 'area' } },
      ],
    },
  ],
});
