import type { Finding } from '@kvm-rules/core';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('s390', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', async (profile) => {
    expect((await findings(profile)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: kvm_s390_init() calls kvm_init() last and the hooks are no-ops', async () => {
    expect(await findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: no enable/disable hooks (no KVM_GENERIC_HARDWARE_ENABLING), kvm_init() last and its failure runs __kvm_s390_exit(): nothing to report', async () => {
    expect(await findings('v6.12')).toEqual([]);
  });
});
