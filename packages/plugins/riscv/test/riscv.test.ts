import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const findings = (profile: string) => checkManifest(new URL('../plugin.yaml', import.meta.url), profile);

describe('riscv', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: riscv_kvm_init() only calls kvm_init()', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });
});
