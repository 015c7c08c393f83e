import { fileURLToPath } from 'node:url';
import { readPluginManifest, type Finding } from '@kvm-rules/core';
import { checkPluginPackage, checkPlugins } from '@kvm-rules/rule-tester';
import { assert, describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);
const pkg = new URL('..', import.meta.url);

/** The findings about this plugin under a built-in profile, from its declarations for the profile's kernel. */
const findings = (profile: string, variant?: string): Promise<Finding[]> => checkPluginPackage(pkg, profile, { variant });

describe('mips', () => {
  it('tdx-v7: a kvm-init-last warning naming the work after kvm_init(), and no error', async () => {
    const found = await findings('tdx-v7');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(found[0]!.message).toContain('kvm_mips_init() does work after kvm_init(): "priority-to-irq", "die-notifier"');
  });

  it('tdx-v7 with the seed patch: kvm_init() last, nothing to report', async () => {
    const found = await findings('tdx-v7', 'tdx-v7');
    expect(found).toEqual([]);
  });

  it('the seed patch without unregister_die_notifier() on kvm_init() failure: unwind-on-failure fires', async () => {
    const plugin = readPluginManifest(fileURLToPath(manifest)).build('tdx-v7', '5.19');
    const kvmInit = plugin.modules[0]!.phases.find((phase) => phase.call === 'kvm_init');
    assert(kvmInit, 'the kvm_init phase');
    kvmInit.unwinds = [];
    const found = (await checkPlugins([plugin], 'tdx-v7')).filter((f) => f.arch === 'mips');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['unwind-on-failure', 'error']]);
    expect(found[0]!.message).toContain('"die-notifier"');
    expect(found[0]!.message).toContain('unregister_die_notifier()');
  });

  it('v6.12: kvm_init() last and its failure unregisters the die notifier, as the seed patch had it; the hooks read only the const kvm_mips_callbacks: nothing to report', async () => {
    expect(await findings('v6.12')).toEqual([]);
  });
});
