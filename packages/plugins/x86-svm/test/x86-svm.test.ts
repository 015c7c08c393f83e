import { checkManifest } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const findings = (profile: string) => checkManifest(new URL('../plugin.yaml', import.meta.url), profile);

describe('x86-svm', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: svm_init() only calls kvm_init(), so nothing comes after it', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });

  it('v6.12 on 5.19 declarations: svm_data would be read before anything allocates it', () => {
    const messages = findings('v6.12').map((f) => f.message);
    expect(messages.some((m) => m.includes('reads svm_data') && m.includes('which v6.12 never calls'))).toBe(true);
  });
});
