import type { Finding } from '@kvm-rules/core';
import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Finding[] => checkManifest(manifest, profile, variant);

describe('riscv', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: riscv_kvm_init() only calls kvm_init()', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });

  it('v6.12: kvm_riscv_aia_init() sets up what the hooks read before kvm_init(), which comes last: nothing to report', () => {
    expect(findings('v6.12')).toEqual([]);
  });
});
