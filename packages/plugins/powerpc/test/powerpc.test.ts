import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const findings = (profile: string) => checkManifest(new URL('../plugin.yaml', import.meta.url), profile);

describe('powerpc', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: the enable/disable hooks are no-ops; Book3S and e500 still do work after kvm_init()', () => {
    const late = findings('tdx-v7').filter((f) => f.ruleId === 'kvm-init-last');
    expect(late.map((f) => f.message.split(' does ')[0])).toEqual(['kvmppc_book3s_init()', 'kvmppc_e500_init()', 'kvmppc_e500mc_init()']);
  });
});
