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

/** kvm_main.c as 6.1 has it, cut down: CPU hotplug callbacks that enable and disable only while a VM exists (kvm_usage_count). */
function gatedMain(options: { gate: 'if' | 'goto' | false; before: string }): string {
  const when = (call: string) =>
    options.gate === 'if'
      ? `\tif (kvm_usage_count)\n\t\t${call}\n`
      : options.gate === 'goto'
        ? `\tif (!kvm_usage_count)\n\t\tgoto out;\n\t${call}\nout:\n`
        : `\t${call}\n`;
  return `// SPDX-License-Identifier: GPL-2.0-only
static int kvm_usage_count;
static cpumask_var_t cpus_hardware_enabled;

static void hardware_enable_nolock(void *junk)
{
	int cpu = raw_smp_processor_id();

	if (cpumask_test_cpu(cpu, cpus_hardware_enabled))
		return;

	cpumask_set_cpu(cpu, cpus_hardware_enabled);
	kvm_arch_hardware_enable();
}

static void hardware_disable_nolock(void *junk)
{
	int cpu = raw_smp_processor_id();

	if (!cpumask_test_cpu(cpu, cpus_hardware_enabled))
		return;
	cpumask_clear_cpu(cpu, cpus_hardware_enabled);
	kvm_arch_hardware_disable();
}

static int kvm_starting_cpu(unsigned int cpu)
{
${when('hardware_enable_nolock(NULL);')}	return 0;
}

static int kvm_dying_cpu(unsigned int cpu)
{
${when('hardware_disable_nolock(NULL);')}	return 0;
}

static int hardware_enable_all(void)
{
	kvm_usage_count++;
	on_each_cpu(hardware_enable_nolock, NULL, 1);
	return 0;
}

static void hardware_disable_all(void)
{
	kvm_usage_count--;
	on_each_cpu(hardware_disable_nolock, NULL, 1);
}

static struct miscdevice kvm_dev = {
	KVM_MINOR,
	"kvm",
	&kvm_chardev_ops,
};

int kvm_init(unsigned vcpu_size, unsigned vcpu_align, struct module *module)
{
	int r;
${options.before}
	r = cpuhp_setup_state_nocalls(CPUHP_AP_KVM_STARTING, "kvm/cpu:starting", kvm_starting_cpu, kvm_dying_cpu);
	if (r)
		return r;

	r = misc_register(&kvm_dev);
	if (r)
		goto out_unreg;
	return 0;

out_unreg:
	cpuhp_remove_state_nocalls(CPUHP_AP_KVM_STARTING);
	return r;
}
`;
}

describe('callbacks that run their hooks only while virtualization is enabled', () => {
  const lifecycleOf = async (main: string) => {
    const { ordering, tree } = await genericOf(treeWith({ 'virt/kvm/kvm_main.c': main }));
    assert(ordering, 'kvm_init() read');
    expect(tree.diagnostics).toEqual([]);
    return ordering.lifecycle.map((e) => ({ from: e.from, window: e.window, gated: e.summary.includes('only while kvm_usage_count') }));
  };

  it('6.1: CPU hotplug runs the hooks only if (kvm_usage_count), which kvm_init() leaves 0: they need a VM first, from /dev/kvm on', async () => {
    expect(await lifecycleOf(gatedMain({ gate: 'if', before: '' }))).toEqual([{ from: 'misc_register', window: 'userspace', gated: true }]);
  });

  it("enabled and disabled again inside kvm_init() (the seed's compat check) leaves them gated", async () => {
    const before = '\n\tr = hardware_enable_all();\n\tif (r)\n\t\treturn r;\n\thardware_disable_all();\n';
    expect(await lifecycleOf(gatedMain({ gate: 'if', before }))).toEqual([{ from: 'misc_register', window: 'userspace', gated: true }]);
  });

  it('left enabled by kvm_init() (6.12 with enable_virt_at_load), the gate is open: CPU hotplug from its registration', async () => {
    const before = '\n\tr = hardware_enable_all();\n\tif (r)\n\t\treturn r;\n';
    expect(await lifecycleOf(gatedMain({ gate: 'if', before }))).toEqual([{ from: 'cpuhp_setup_state_nocalls', window: 'cpu-hotplug', gated: false }]);
  });

  it('the gate written as `if (!kvm_usage_count) goto out;` is the same gate', async () => {
    expect(await lifecycleOf(gatedMain({ gate: 'goto', before: '' }))).toEqual([{ from: 'misc_register', window: 'userspace', gated: true }]);
  });

  it('without the gate, CPU hotplug runs the enable hook whatever the count: a window from its registration', async () => {
    // hardware_enable_nolock()'s `if (enabled) return;` is no gate: the hook runs when it is not.
    expect(await lifecycleOf(gatedMain({ gate: false, before: '' }))).toEqual([{ from: 'cpuhp_setup_state_nocalls', window: 'cpu-hotplug', gated: false }]);
  });
});
