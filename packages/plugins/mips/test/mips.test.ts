import { fileURLToPath } from 'node:url';
import { loadPlugin } from '@kvm-rules/core';
import { checkManifest, checkPlugins } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = new URL('../plugin.yaml', import.meta.url);

describe('mips', () => {
  it('tdx-v7: a kvm-init-last warning naming the work after kvm_init(), and no error', () => {
    const found = checkManifest(manifest, 'tdx-v7');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(found[0]!.message).toContain('kvm_mips_init() does work after kvm_init(): "priority-to-irq", "die-notifier"');
  });

  it('tdx-v7 with the seed patch: kvm_init() last, nothing to report', () => {
    const found = checkManifest(manifest, 'tdx-v7', 'tdx-v7');
    expect(found).toEqual([]);
  });

  it('the seed patch without unregister_die_notifier() on kvm_init() failure: unwind-on-failure fires', () => {
    const plugin = loadPlugin(fileURLToPath(manifest), 'tdx-v7');
    const kvmInit = plugin.modules[0]!.phases.find((phase) => phase.call === 'kvm_init')!;
    kvmInit.unwinds = [];
    const found = checkPlugins([plugin], 'tdx-v7').filter((f) => f.arch === 'mips');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['unwind-on-failure', 'error']]);
    expect(found[0]!.message).toContain('"die-notifier"');
    expect(found[0]!.message).toContain('unregister_die_notifier()');
  });
});
