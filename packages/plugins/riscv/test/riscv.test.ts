import type { Finding } from '@kvm-rules/core';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('riscv', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', async (profile) => {
    expect((await findings(profile)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: riscv_kvm_init() only calls kvm_init()', async () => {
    expect(await findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: kvm_riscv_aia_init() sets up what the hooks read before kvm_init(), which comes last: nothing to report', async () => {
    expect(await findings('v6.12')).toEqual([]);
  });
});
