import { demoPlugin, RuleTester } from '@kvm-rules/rule-tester';
import rule from './no-unused-hook.js';

function plugin(id: string, hooks = '{}'): string {
  return demoPlugin({ id, init: `${id}_init`, phases: ['{ id: kvm-init, call: kvm_init }'], hooks });
}

new RuleTester({ profile: 'tdx-v7' }).run('no-unused-hook', rule, {
  valid: [
    { name: 'no weak hooks in v5.19', profile: 'v5.19', plugins: plugin('demo') },
    {
      name: 'one arch implements the weak hook',
      plugins: [plugin('demo'), plugin('tdx', '{ post-enable-setup: { impl: tdx_module_setup } }')],
    },
  ],
  invalid: [
    {
      name: 'the seed: kvm_arch_post_hardware_enable_setup() has no user',
      plugins: [plugin('demo'), plugin('other')],
      errors: [
        {
          messageId: 'unusedWeakHook',
          arch: 'generic',
          data: { name: 'kvm_arch_post_hardware_enable_setup', role: 'post-enable-setup', count: 2 },
        },
      ],
    },
    {
      name: 'v6.12 has two weak hooks',
      profile: 'v6.12',
      plugins: plugin('demo'),
      errors: [
        { messageId: 'unusedWeakHook', data: { name: 'kvm_arch_enable_virtualization' } },
        { messageId: 'unusedWeakHook', data: { name: 'kvm_arch_disable_virtualization' } },
      ],
    },
  ],
});
