import { fileURLToPath } from 'node:url';
import { readPluginManifest, type Finding } from '@kvm-rules/core';
import { checkPluginPackage, checkPlugins } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);
const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('x86-svm', () => {
  it.each(['v5.19', 'tdx-v7'])('%s: no errors (the seed review found nothing to fix here)', async (profile) => {
    expect((await findings(profile)).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('tdx-v7: svm_init() only calls kvm_init(), so nothing comes after it', async () => {
    expect(await findings('tdx-v7')).toEqual([]);
  });

  it('v6.12 on 5.19 declarations: svm_data would be read before anything allocates it', async () => {
    const plugin = readPluginManifest(fileURLToPath(manifest)).build(undefined, '5.19');
    const messages = (await checkPlugins([plugin], 'v6.12')).filter((f) => f.arch === 'x86-svm').map((f) => f.message);
    expect(messages.some((m) => m.includes('reads svm_data') && m.includes('which v6.12 never calls'))).toBe(true);
  });

  it('v6.12: kvm_x86_vendor_init() allocates svm_data and the rest before kvm_init(), which comes last: nothing to report', async () => {
    expect(await findings('v6.12')).toEqual([]);
  });
});
