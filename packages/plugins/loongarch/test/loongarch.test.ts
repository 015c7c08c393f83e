import { fileURLToPath } from 'node:url';
import { loadPlugin } from '@kvm-rules/core';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);
const pkg = new URL('..', import.meta.url);

describe('loongarch', () => {
  it('declares Linux 6.12 only: KVM on LoongArch arrived in 6.7', () => {
    expect(loadPlugin(fileURLToPath(manifest)).kernels).toEqual(['6.12']);
  });

  it('v6.12: kvm_loongarch_env_init() allocates the per-CPU vmcs the enable hook writes through, before kvm_init(), which comes last: nothing to report', async () => {
    expect(await checkPluginPackage(pkg, 'v6.12')).toEqual([]);
  });
});
