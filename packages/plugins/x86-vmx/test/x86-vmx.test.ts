import { fileURLToPath } from 'node:url';
import { readPluginManifest, type Finding } from '@kvm-rules/core';
import { checkPluginPackage, checkPlugins } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);
const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

const errors = async (profile: string, variant?: string) => (await findings(profile, variant)).filter((f) => f.severity === 'error');

describe('x86-vmx', () => {
  it('v5.19: hardware is enabled only once VMs exist, so no errors', async () => {
    expect(await errors('v5.19')).toEqual([]);
  });

  it('tdx-v7: hardware disable inside kvm_init() walks loaded_vmcss_on_cpu before vmx_init() initializes it', async () => {
    const found = await errors('tdx-v7');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ruleId: 'hook-state-initialized', arch: 'x86-vmx', profile: 'tdx-v7' });
    expect(found[0]!.message).toContain('vmx_hardware_disable()');
    expect(found[0]!.message).toContain('loaded_vmcss_on_cpu through vmclear_local_loaded_vmcss()');
  });

  it('tdx-v7 with the seed patch: vmx_init_early() fixes it', async () => {
    expect(await errors('tdx-v7', 'tdx-v7')).toEqual([]);
  });

  it('v6.12: vmx_init() sets up loaded_vmcss_on_cpu and the vendor state before kvm_init(), which comes last: nothing to report', async () => {
    expect(await findings('v6.12')).toEqual([]);
  });

  it('v6.12 with loaded_vmcss_on_cpu set up after kvm_init(), as in 5.19: the disable and emergency hooks would read it too early', async () => {
    const plugin = readPluginManifest(fileURLToPath(manifest)).build(undefined, '6.12');
    const phases = plugin.modules[0]!.phases;
    phases.push(
      ...phases.splice(
        phases.findIndex((p) => p.id === 'loaded-vmcss-init'),
        1,
      ),
    );
    const found = (await checkPlugins([plugin], 'v6.12')).filter((f) => f.severity === 'error');
    expect(found.map((f) => f.message.split(' reads ')[0])).toEqual([
      'virtualization-enable hook kvm_arch_enable_virtualization()',
      'hardware-disable hook vmx_disable_virtualization_cpu()',
    ]);
    // kvm_init() runs both on every module load: certain, not a window.
    expect(found.every((f) => f.message.includes('; certain'))).toBe(true);
  });
});
