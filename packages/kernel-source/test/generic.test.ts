// readGenericOrdering(): the generic side of a tree read from its own kvm_init(): one step per
// statement of the success path, the hooks each step reaches (on one CPU or on every online
// CPU), what its failure path reaches, where /dev/kvm is exposed, and the callbacks it registers.
import type { HookCallSpec, Profile } from '@kvm-rules/core';
import { assert, describe, expect, it } from 'vitest';
import { hookRolesOf, readGenericOrdering } from '../src/generic.js';
import { allProfiles, fixture, scopeOf, treeWith } from './helpers.js';

const calls = (specs: HookCallSpec[]) => specs.map((c) => `${c.role}/${c.on}@${c.location.line}`);

async function genericOf(dir: string) {
  const { cache, tree } = await scopeOf(dir, 'virt/kvm/', () => []);
  const ordering = readGenericOrdering(cache, hookRolesOf(allProfiles()))?.profile;
  return { ordering, tree };
}

function steps(profile: Profile) {
  return profile.kvmInit.map((s) => ({
    id: s.id,
    line: s.location.line,
    calls: calls(s.calls),
    rollback: calls(s.rollback),
    ...(s.exposes ? { exposes: s.exposes } : {}),
  }));
}

describe('readGenericOrdering', () => {
  it("the fixtures' kvm_init(): virtualization enabled on every CPU through cpuhp_setup_state(), then /dev/kvm", async () => {
    const { ordering, tree } = await genericOf(fixture('late-percpu'));
    const profile = ordering;
    assert(profile, 'kvm_init() read');
    expect(profile).toMatchObject({ id: 'kernel-6.12.0', kernel: '6.12', proposal: false, file: 'virt/kvm/kvm_main.c', location: { line: 133 } });
    expect(steps(profile)).toEqual([
      { id: 'kmem_cache_create', line: 139, calls: [], rollback: [] },
      { id: 'kvm_irqfd_init', line: 144, calls: [], rollback: [] },
      { id: 'kvm_chardev_ops', line: 148, calls: [], rollback: [] },
      {
        id: 'kvm_enable_virtualization',
        line: 150,
        // kvm_arch_enable_virtualization() directly; the per-CPU enable hook through kvm_online_cpu(),
        // the startup callback cpuhp_setup_state() runs on every CPU. The disable hook of its own
        // failure path (err_cpuhp) is rollback, and so is the teardown callback.
        calls: ['virtualization-enable/one-cpu@109', 'hardware-enable/each-online-cpu@74'],
        rollback: ['virtualization-disable/one-cpu@119'],
      },
      // misc_register() is "the last thing": it exposes /dev/kvm; err_register disables
      // virtualization again, and cpuhp_remove_state() runs the teardown on every CPU.
      {
        id: 'misc_register',
        line: 158,
        calls: [],
        rollback: ['virtualization-disable/one-cpu@130', 'hardware-disable/each-online-cpu@92'],
        exposes: 'dev-kvm',
      },
    ]);
    expect([...profile.hooks.values()].map((h) => `${h.role}=${h.name}${h.weak ? ' (weak)' : ''} ${h.location.file}:${h.location.line}`)).toEqual([
      'virtualization-enable=kvm_arch_enable_virtualization (weak) virt/kvm/kvm_main.c:20',
      'hardware-enable=kvm_arch_enable_virtualization_cpu virt/kvm/kvm_main.c:74',
      'virtualization-disable=kvm_arch_disable_virtualization (weak) virt/kvm/kvm_main.c:24',
      'hardware-disable=kvm_arch_disable_virtualization_cpu virt/kvm/kvm_main.c:92',
    ]);
    // The CPU hotplug callbacks keep running the per-CPU hooks once kvm_init() has registered them.
    expect(profile.lifecycle.map((e) => ({ id: e.id, from: e.from, summary: e.summary, calls: calls(e.calls) }))).toEqual([
      {
        id: 'cpuhp_setup_state() callbacks',
        from: 'kvm_enable_virtualization',
        summary: 'cpuhp_setup_state() callbacks, registered by kvm_init() step "kvm_enable_virtualization"',
        calls: ['hardware-enable/one-cpu@74', 'hardware-disable/one-cpu@92'],
      },
    ]);
    expect(tree.diagnostics).toEqual([]);
  });

  it('a tree without kvm_init() is an error on virt/kvm/kvm_main.c, and no ordering', async () => {
    const dir = treeWith({ 'virt/kvm/kvm_main.c': '// SPDX-License-Identifier: GPL-2.0-only\nvoid kvm_exit(void)\n{\n}\n' });
    const { ordering, tree } = await genericOf(dir);
    expect(ordering).toBeUndefined();
    expect(tree.diagnostics).toEqual([
      { place: { file: 'virt/kvm/kvm_main.c', line: 1, column: 1 }, message: 'no definition of kvm_init() in virt/kvm', severity: 'error' },
    ]);
  });
});
