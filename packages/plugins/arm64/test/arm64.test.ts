import type { Finding } from '@kvm-rules/core';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('arm64', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', async (profile) => {
    expect((await findings(profile)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: hardware enable inside kvm_init() runs after kvm_arch_init() set up EL2', async () => {
    expect(await findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: EL2, the vector slots, vgic and timer are set up before kvm_init(); only the kvm-init-last warning for finalize_init_hyp_mode() and kvm_arm_initialised, which kvm_arm_init() runs after kvm_init() on purpose', async () => {
    const found = await findings('v6.12');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(found[0]!.message).toContain('kvm_arm_init() does work after kvm_init(): "finalize-hyp-mode", "arm-initialised"');
  });
});
