import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import { loadPlugin } from '@kvm-rules/core';
import { checkPlugins } from '@kvm-rules/core/rule-tester';
import { describe, expect, it } from 'vitest';

const manifest = fileURLToPath(new URL('../plugin.yaml', import.meta.url));
const rulesDir = dirname(fileURLToPath(import.meta.resolve('@kvm-rules/rules/package.json')));

describe('mips', () => {
  it('tdx-v7: a kvm-init-last warning naming the work after kvm_init(), and no error', () => {
    const found = checkPlugins([loadPlugin(manifest)], 'tdx-v7', rulesDir).filter((f) => f.arch === 'mips');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(found[0]!.message).toContain('kvm_mips_init() does work after kvm_init(): "priority-to-irq", "die-notifier"');
  });

  it('tdx-v7 with the seed patch: kvm_init() last, nothing to report', () => {
    const found = checkPlugins([loadPlugin(manifest, 'tdx-v7')], 'tdx-v7', rulesDir).filter((f) => f.arch === 'mips');
    expect(found).toEqual([]);
  });

  it('the seed patch without unregister_die_notifier() on kvm_init() failure: unwind-on-failure fires', () => {
    const plugin = loadPlugin(manifest, 'tdx-v7');
    const kvmInit = plugin.modules[0]!.phases.find((phase) => phase.call === 'kvm_init')!;
    kvmInit.unwinds = [];
    const found = checkPlugins([plugin], 'tdx-v7', rulesDir).filter((f) => f.arch === 'mips');
    expect(found.map((f) => [f.ruleId, f.severity])).toEqual([['unwind-on-failure', 'error']]);
    expect(found[0]!.message).toContain('"die-notifier"');
    expect(found[0]!.message).toContain('unregister_die_notifier()');
  });
});
