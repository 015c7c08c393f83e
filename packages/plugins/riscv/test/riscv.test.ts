import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { loadPlugin } from '@kvm-rules/core';
import { checkPlugins } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = fileURLToPath(new URL('../plugin.yaml', import.meta.url));
const rulesDir = dirname(fileURLToPath(import.meta.resolve('@kvm-rules/rules/package.json')));
const findings = (profile: string) => checkPlugins([loadPlugin(manifest)], profile, rulesDir).filter((f) => f.arch === 'riscv');

describe('riscv', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: riscv_kvm_init() only calls kvm_init()', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });
});
