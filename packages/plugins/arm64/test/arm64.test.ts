import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { loadPlugin } from '@kvm-rules/core';
import { checkPlugins } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = fileURLToPath(new URL('../plugin.yaml', import.meta.url));
const rulesDir = dirname(fileURLToPath(import.meta.resolve('@kvm-rules/rules/package.json')));
const findings = (profile: string) => checkPlugins([loadPlugin(manifest)], profile, rulesDir).filter((f) => f.arch === 'arm64');

describe('arm64', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', (profile) => {
    expect(findings(profile).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: hardware enable inside kvm_init() runs after kvm_arch_init() set up EL2', () => {
    expect(findings('tdx-v7')).toEqual([]);
  });
});
