import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const findings = (profile: string) => checkManifest(new URL('../plugin.yaml', import.meta.url), profile);

describe('s390', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: kvm_s390_init() calls kvm_init() last and the hooks are no-ops', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });
});
