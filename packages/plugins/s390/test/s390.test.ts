import type { Finding } from '@kvm-rules/core';
import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Finding[] => checkManifest(manifest, profile, variant);

describe('s390', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: kvm_s390_init() calls kvm_init() last and the hooks are no-ops', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: no enable/disable hooks (no KVM_GENERIC_HARDWARE_ENABLING), kvm_init() last and its failure runs __kvm_s390_exit(): nothing to report', () => {
    expect(findings('v6.12')).toEqual([]);
  });
});
