import { derivedPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import rule from './plugin-drift.js';

const state = ['demo_list: { summary: A per-CPU list, kind: per-cpu }'];
const tree = {
  phases: ['{ id: setup, call: demo_setup }', '{ id: list, call: INIT_LIST_HEAD, initializes: [demo_list] }', KVM_INIT_PHASE],
  hooks: '{ hardware-disable: { impl: kvm_arch_disable_virtualization_cpu, requires: [{ state: demo_list, via: [demo_flush] }] } }',
  state,
};
const declaring = (phases: string[], hooks = '{ hardware-disable: { impl: kvm_arch_disable_virtualization_cpu, requires: [demo_list] } }') => ({
  phases,
  hooks,
  state,
});

new RuleTester().run('plugin-drift', rule, {
  valid: [
    {
      name: 'declarations that match the tree, phases a subset in source order',
      plugins: derivedPlugin(tree, declaring(['{ id: list, call: INIT_LIST_HEAD }', KVM_INIT_PHASE])),
    },
    {
      name: "a plugin with no declarations for the tree's version is not compared",
      plugins: derivedPlugin(tree),
    },
  ],
  invalid: [
    {
      name: 'a declared phase the source does not have',
      plugins: derivedPlugin(tree, declaring(['{ id: gone, call: demo_gone }', KVM_INIT_PHASE])),
      errors: [{ messageId: 'phaseMissing', arch: 'demo', data: { phase: 'gone', call: 'demo_gone()' } }],
    },
    {
      name: 'phases declared in another order',
      plugins: derivedPlugin(tree, declaring([KVM_INIT_PHASE, '{ id: list, call: INIT_LIST_HEAD }'])),
      errors: [{ messageId: 'phaseOrder', data: { phase: 'list', previous: 'kvm-init' } }],
    },
    {
      name: 'a dependency the code has that the plugin does not declare',
      plugins: derivedPlugin(tree, declaring([KVM_INIT_PHASE], '{ hardware-disable: { impl: kvm_arch_disable_virtualization_cpu } }')),
      errors: [{ messageId: 'dependencyUndeclared', data: { role: 'hardware-disable', state: 'demo_list', via: 'demo_flush()' } }],
    },
    {
      name: 'a hook the tree implements and the plugin leaves out',
      plugins: derivedPlugin(tree, declaring([KVM_INIT_PHASE], '{}')),
      errors: [{ messageId: 'hookUndeclared', data: { role: 'hardware-disable' } }],
    },
    {
      name: 'a declared implementation the hook never reaches',
      plugins: derivedPlugin(tree, declaring([KVM_INIT_PHASE], '{ hardware-disable: { impl: demo_old_disable, requires: [demo_list] } }')),
      errors: [{ messageId: 'implMissing', data: { impl: 'demo_old_disable' } }],
    },
    {
      name: 'a declared module init the tree does not have',
      plugins: derivedPlugin(tree, { ...declaring([KVM_INIT_PHASE]), init: 'demo_old_init' }),
      errors: [{ messageId: 'moduleMissing', data: { init: 'demo_old_init' } }],
    },
  ],
});
