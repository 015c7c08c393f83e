import type { Finding } from '@kvm-rules/core';
import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Finding[] => checkManifest(manifest, profile, variant);

describe('arm64', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: hardware enable inside kvm_init() runs after kvm_arch_init() set up EL2', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: EL2, the vector slots, vgic and timer are set up before kvm_init(); only the kvm-init-last warning for finalize_init_hyp_mode() and kvm_arm_initialised, which kvm_arm_init() runs after kvm_init() on purpose', () => {
    const found = findings('v6.12');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(found[0]!.message).toContain('kvm_arm_init() does work after kvm_init(): "finalize-hyp-mode", "arm-initialised"');
  });
});
