import { demoPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import rule from './kvm-init-last.js';

function plugin(phasesAfter: string[]): string {
  const after = phasesAfter.map((id) => `{ id: ${id}, call: demo_${id.replace(/-/g, '_')} }`);
  return demoPlugin({
    phases: ['{ id: setup, call: demo_setup }', KVM_INIT_PHASE, ...after],
    hooks: '{ hardware-enable: { impl: demo_enable } }',
  });
}

const reason = 'It needs what kvm_init() set up, see demo_init().';

new RuleTester({ profile: 'tdx-v7' }).run('kvm-init-last', rule, {
  valid: [
    { name: 'kvm_init() is last', plugins: plugin([]) },
    {
      name: 'an exception with a reason',
      plugins: plugin(['late-work']),
      options: { exceptions: [{ arch: 'demo', reason }] },
    },
    {
      name: 'an exception for these phases under this profile',
      plugins: plugin(['late-work']),
      options: { exceptions: [{ arch: 'demo', profiles: ['tdx-v7'], phases: ['late-work'], reason }] },
    },
  ],
  invalid: [
    {
      name: 'the seed: mips does work after kvm_init()',
      plugins: plugin(['priority-to-irq', 'die-notifier']),
      errors: [
        {
          messageId: 'workAfterKvmInit',
          arch: 'demo',
          line: 10,
          data: { init: 'demo_init', phases: '"priority-to-irq", "die-notifier"', profile: 'tdx-v7' },
        },
      ],
    },
    {
      name: 'an exception for another profile does not apply',
      plugins: plugin(['late-work']),
      options: { exceptions: [{ arch: 'demo', profiles: ['v5.19'], reason }] },
      errors: [{ messageId: 'workAfterKvmInit' }],
    },
    {
      name: 'an exception for some phases leaves the others',
      plugins: plugin(['late-work', 'later-work']),
      options: { exceptions: [{ arch: 'demo', phases: ['late-work'], reason }] },
      errors: [{ messageId: 'workAfterKvmInit', data: { phases: '"later-work"' } }],
    },
    {
      name: 'an exception for another arch does not apply',
      plugins: plugin(['late-work']),
      options: { exceptions: [{ arch: 'other', reason }] },
      errors: [{ messageId: 'workAfterKvmInit', arch: 'demo' }],
    },
  ],
});
