import type { Finding } from '@kvm-rules/core';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('powerpc', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', async (profile) => {
    expect((await findings(profile)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: the enable/disable hooks are no-ops; Book3S and e500 still do work after kvm_init()', async () => {
    const late = (await findings('tdx-v7')).filter((f) => f.ruleId === 'kvm-init-last');
    expect(late.map((f) => f.message.split(' does ')[0])).toEqual(['kvmppc_book3s_init()', 'kvmppc_e500_init()', 'kvmppc_e500mc_init()']);
  });

  it('v6.12: one error, kvmppc_e500_init() returns a kvm_init() failure without freeing the handler area kvmppc_booke_init() allocated', async () => {
    const found = (await findings('v6.12')).filter((f) => f.severity === 'error');
    expect(found.map((f) => f.ruleId)).toEqual(['unwind-on-failure']);
    expect(found[0]!.message).toContain(
      'kvmppc_e500_init(): "kvm-init" (kvm_init()) can fail, but its failure path does not undo "booke-init" (kvmppc_booke_init()): kvmppc_booke_handlers stays set up; call free_pages() before returning the error',
    );
  });

  it('v6.12: no enable/disable hooks (no KVM_GENERIC_HARDWARE_ENABLING); every flavour still does work after kvm_init()', async () => {
    const late = (await findings('v6.12')).filter((f) => f.ruleId === 'kvm-init-last');
    expect(late.map((f) => f.message.split(': ')[0])).toEqual([
      'kvmppc_book3s_init() does work after kvm_init()',
      'kvmppc_e500_init() does work after kvm_init()',
      'kvmppc_e500mc_init() does work after kvm_init()',
    ]);
    // The hooks do nothing: only userspace, through /dev/kvm, can see the work unfinished.
    expect(late.every((f) => f.message.endsWith('it can be seen unfinished if userspace creates a VM through /dev/kvm'))).toBe(true);
  });
});
