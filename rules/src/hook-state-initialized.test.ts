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

/** kvm_init() that only registers: /dev/kvm, then CPU hotplug callbacks; nothing runs the hooks at load. */
const windowProfile = `id: windows
summary: Hooks run only when userspace creates a VM or a CPU comes and goes.
kernel: "6.1"
hooks:
  hardware-enable: { name: kvm_arch_hardware_enable }
  hardware-disable: { name: kvm_arch_hardware_disable }
kvmInit:
  - { id: dev-kvm, summary: misc_register(&kvm_dev), exposes: dev-kvm }
  - { id: cpu-hotplug, summary: cpuhp_setup_state_nocalls() }
lifecycle:
  - id: first-vm
    summary: The first KVM_CREATE_VM enables virtualization on every CPU
    window: userspace
    from: dev-kvm
    calls: [{ hook: hardware-enable, on: each-online-cpu }, { hook: hardware-disable, on: each-online-cpu }]
  - id: hotplug
    summary: A CPU comes online or goes offline
    window: cpu-hotplug
    from: cpu-hotplug
    calls: [{ hook: hardware-disable }]
`;

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
          severity: 'error',
          data: { role: 'hardware-disable', state: 'list', hook: 'demo_hardware_disable', via: ' through demo_walk_list()' },
        },
      ],
    },
    {
      name: "a hook that reads state and writes it afterwards: the initializer named is the phase, not the hook's own write",
      plugins: plugin({ after: ['area'], hooks: `\n  hardware-enable: { impl: demo_enable, requires: [area], initializes: [area] }` }),
      errors: [
        { messageId: 'initializedLater', data: { role: 'hardware-enable', state: 'area', initializer: 'by phase "area-init" (init_area()) of demo_init()' } },
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
      errors: [{ messageId: 'initializerNotCalled', data: { state: 'area', hook: 'demo_enable' } }],
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
    {
      name: 'v6.12: the enable hook runs on every CPU inside kvm_init(): certain, an error',
      profile: 'v6.12',
      plugins: plugin({ after: ['area'], hooks: `\n  hardware-enable: { impl: demo_enable, requires: [area] }` }),
      errors: [
        {
          messageId: 'initializedLater',
          severity: 'error',
          data: { hook: 'demo_enable', when: 'certain: on every module load, it runs in kvm_init() step "init-virtualization" on every online CPU' },
        },
      ],
    },
    {
      name: 'a window only: under v5.19 the hooks run once userspace creates a VM, opened before module init returns',
      profile: windowProfile,
      plugins: plugin({ after: ['list'], hooks: disableReadsList }),
      errors: [
        {
          messageId: 'initializedLater',
          severity: 'warning',
          data: {
            when: 'a window: from kvm_init() step "dev-kvm" until init_list() in demo_init(), it runs if userspace creates a VM through /dev/kvm or a CPU comes online or goes offline',
          },
        },
      ],
    },
    {
      name: 'options set each severity: a window made an error',
      profile: windowProfile,
      options: { window: 'error' },
      plugins: plugin({ after: ['list'], hooks: disableReadsList }),
      errors: [{ messageId: 'initializedLater', severity: 'error' }],
    },
  ],
});
