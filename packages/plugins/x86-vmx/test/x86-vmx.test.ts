import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const errors = (profile: string, variant?: string) =>
  checkManifest(new URL('../plugin.yaml', import.meta.url), profile, variant).filter((f) => f.severity === 'error');

describe('x86-vmx', () => {
  it('v5.19: hardware is enabled only once VMs exist, so no errors', () => {
    expect(errors('v5.19')).toEqual([]);
  });

  it('tdx-v7: hardware disable inside kvm_init() walks loaded_vmcss_on_cpu before vmx_init() initializes it', () => {
    const found = errors('tdx-v7');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ruleId: 'hook-state-initialized', arch: 'x86-vmx', profile: 'tdx-v7' });
    expect(found[0]!.message).toContain('vmx_hardware_disable()');
    expect(found[0]!.message).toContain('loaded_vmcss_on_cpu through vmclear_local_loaded_vmcss()');
  });

  it('tdx-v7 with the seed patch: vmx_init_early() fixes it', () => {
    expect(errors('tdx-v7', 'tdx-v7')).toEqual([]);
  });
});
