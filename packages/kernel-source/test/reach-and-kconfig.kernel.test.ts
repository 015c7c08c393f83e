// How a finding can happen, from the tree: certain (kvm_init() runs the hook on every module
// load) or a window, and whether the module is loadable (tristate) or built in (bool), read
// from the arch's Kconfig and Makefile. Fixtures of both kinds.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, describe, expect, it, onTestFinished } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { moduleConfig } from '../src/kconfig.js';
import { KernelTree } from '../src/kernel-tree.js';
import { brief, checkKernel, fixture, fixturePlugin, treeWith } from './helpers.js';

describe('a module that can be loaded at run time (late-percpu: KVM_DEMO_VMX is a tristate)', () => {
  it('reads the Kconfig symbol that builds the module through the Makefile, and its type line', async () => {
    const { analysis } = await checkKernel(fixture('late-percpu'), { plugins: [fixturePlugin('late-percpu')], archs: ['demo-vmx'] });
    expect(analysis.plugins[0]!.modules[0]!.kconfig).toEqual({
      symbol: 'CONFIG_KVM_DEMO_VMX',
      loadable: true,
      text: 'tristate "KVM for VMX-like processors"',
      location: { file: 'arch/demox/kvm/Kconfig', line: 13, column: 1 },
    });
  });

  it('a hook that runs on the rollback of a kvm_init() step is certain, an error; the work after kvm_init() is a window any userspace can use', async () => {
    const { findings } = await checkKernel(fixture('late-percpu'), { plugins: [fixturePlugin('late-percpu')], archs: ['demo-vmx'] });
    const hook = findings.find((f) => f.ruleId === 'hook-state-initialized');
    assert(hook, 'a hook-state-initialized finding');
    expect(hook.severity).toBe('error');
    expect(hook.message).toContain(
      '; certain, no window needed: it runs on rollback of kvm_init() step "misc_register" on every online CPU whenever that step fails',
    );
    // Named once, by its name in the tree.
    expect(hook.message).toMatch(/^hardware-disable hook kvm_arch_disable_virtualization_cpu\(\) reads demo_loaded_vmcss /);
    const late = findings.find((f) => f.ruleId === 'kvm-init-last');
    assert(late, 'a kvm-init-last finding');
    expect(late.severity).toBe('warning');
    expect(late.message).toContain('it can be seen unfinished if userspace creates a VM through /dev/kvm or a CPU comes online or goes offline');
    expect(late.message).not.toContain('built in');
  });

  it('related places lead somewhere, each place said once; a certain finding tells only what makes it certain', async () => {
    const { findings } = await checkKernel(fixture('late-percpu'), { plugins: [fixturePlugin('late-percpu')], archs: ['demo-vmx'] });
    for (const finding of findings) {
      const places = (finding.related ?? []).map((r) => `${r.location.file}:${r.location.line}:${r.location.column}`);
      expect(new Set(places).size, finding.message).toBe(places.length);
    }
    const hook = findings.find((f) => f.ruleId === 'hook-state-initialized');
    assert(hook, 'a hook-state-initialized finding');
    expect(hook.related?.map((r) => `${r.location.file}:${r.location.line} ${r.message}`)).toEqual([
      'virt/kvm/kvm_main.c:158 kvm_init() step "misc_register" starts it here',
      'virt/kvm/kvm_main.c:129 kvm_disable_virtualization() calls kvm_offline_cpu() here',
      'virt/kvm/kvm_main.c:98 kvm_offline_cpu() calls kvm_disable_virtualization_cpu() here',
      'virt/kvm/kvm_main.c:92 kvm_arch_disable_virtualization_cpu() runs here on rollback of kvm_init() step "misc_register"',
      'arch/demox/kvm/x86.c:73 kvm_arch_disable_virtualization_cpu() calls demo_vmx_hardware_disable() here',
      'arch/demox/kvm/vmx/vmx.c:50 demo_vmx_hardware_disable() calls demo_vmclear_loaded_vmcss() here',
      'arch/demox/kvm/vmx/vmx.c:156 demo_loaded_vmcss is initialized here',
    ]);
  });
});

describe('a built-in module (partly-read: KVM is a bool, as on arm64)', () => {
  it('says that userspace cannot see the late work, names the Kconfig line, and keeps the CPU hotplug window', async () => {
    const { findings, analysis } = await checkKernel(fixture('partly-read'), { plugins: [fixturePlugin('partly-read')], archs: ['demo-arm'] });
    expect(analysis.plugins[0]!.modules[0]!.kconfig).toMatchObject({
      symbol: 'CONFIG_KVM',
      loadable: false,
      text: 'bool "Kernel-based Virtual Machine (KVM) support"',
    });
    const late = findings.find((f) => f.ruleId === 'kvm-init-last');
    assert(late, 'a kvm-init-last finding');
    expect(brief(late)).toBe('kvm-init-last demo-arm warning arch/demoa/kvm/arm.c:71:2');
    expect(late.message).toContain(
      'it can be seen unfinished if a CPU comes online or goes offline; not userspace: CONFIG_KVM is built in (`bool "Kernel-based Virtual Machine (KVM) support"`), so no userspace exists while its init runs',
    );
    expect(late.related?.at(-1)).toEqual({
      message: 'CONFIG_KVM is `bool "Kernel-based Virtual Machine (KVM) support"`: built in, never a loadable module',
      location: { file: 'arch/demoa/kvm/Kconfig', line: 13, column: 1 },
    });
  });
});

describe("5.19's VMX order written into Linux 6.1 (the loaded-VMCS lists set up after kvm_init())", () => {
  /** A copy of the 6.1 tree with vmx_init()'s list loop moved after kvm_init(). */
  function rewritten(): string {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-v61-vmx-'));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    cpSync(fetchKernel('6.1'), dir, { recursive: true });
    const file = join(dir, 'arch/x86/kvm/vmx/vmx.c');
    const loop = '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n';
    const call = '\t\t     __alignof__(struct vcpu_vmx), THIS_MODULE);\n\tif (r)\n\t\tgoto err_kvm_init;\n';
    const text = readFileSync(file, 'utf8');
    expect(text.split(loop).length).toBe(2);
    expect(text.split(call).length).toBe(2);
    writeFileSync(file, text.replace(loop, '').replace(call, `${call}\n${loop}`));
    return dir;
  }

  it("is a window warning under the tree's own kvm_init(), and a certain error under tdx-v7, each message saying why", async () => {
    const dir = rewritten();
    const own = (await checkKernel(dir, { archs: ['x86-vmx'] })).findings.filter((f) => f.ruleId === 'hook-state-initialized');
    expect(own.map((f) => f.severity)).toEqual(['warning']);
    expect(own[0]!.message).toContain('reads loaded_vmcss_on_cpu through vmx_hardware_disable() → vmclear_local_loaded_vmcss()');
    // 6.1's hotplug, suspend and reboot callbacks run the hooks only while a VM exists
    // (`if (kvm_usage_count)`, `if (!cpumask_test_cpu(cpu, cpus_hardware_enabled)) return;`), and
    // kvm_init() leaves none: the window is userspace's, from /dev/kvm on.
    expect(own[0]!.message).toContain(
      'a window: from kvm_init() step "misc_register" until INIT_LIST_HEAD() in vmx_init(), it runs if userspace creates a VM through /dev/kvm',
    );
    const seed = (await checkKernel(dir, { archs: ['x86-vmx'], profile: 'tdx-v7' })).findings.filter((f) => f.ruleId === 'hook-state-initialized');
    expect(seed.map((f) => f.severity)).toEqual(['error']);
    expect(seed[0]!.message).toContain('certain: on every module load, it runs in kvm_init() step "hardware-disable-all" on every online CPU');
  });
});

describe('related places: never two at one place saying the same thing', () => {
  const ARCHS = ['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390', 'loongarch'];
  const runs: [string, string, string | undefined][] = [
    ['6.12', "the tree's own ordering", undefined],
    ['6.1', "the tree's own ordering", undefined],
    ...['tdx-v7', 'v5.19', 'v6.12'].flatMap((profile): [string, string, string][] => [
      ['6.12', profile, profile],
      ['6.1', profile, profile],
    ]),
  ];
  it.each(runs)('Linux %s under %s', async (version, _name, profile) => {
    const archs = version === '6.1' ? ARCHS.filter((arch) => arch !== 'loongarch') : ARCHS;
    const { findings } = await checkKernel(fetchKernel(version), { archs, ...(profile ? { profile } : {}) });
    for (const finding of findings) {
      const said = (finding.related ?? []).map((r) => `${r.location.file}:${r.location.line}:${r.location.column} ${r.message}`);
      expect(new Set(said).size, `${finding.ruleId} ${finding.message}`).toBe(said.length);
      // A hook runs at one call site in several ways: said once, at that place.
      const runsHere = (finding.related ?? []).filter((r) => r.message.includes(' runs here ')).map((r) => `${r.location.file}:${r.location.line}`);
      expect(new Set(runsHere).size, `${finding.ruleId} ${finding.message}`).toBe(runsHere.length);
    }
  });
});

describe('the configuration a module is built in (Makefile and Kconfig)', () => {
  const kconfig = [
    'config KVM',
    '\ttristate "Kernel-based Virtual Machine (KVM) support"',
    '',
    'config KVM_AMD',
    '\ttristate "KVM for AMD processors support"',
    '\tdepends on KVM && (CPU_SUP_AMD || CPU_SUP_HYGON)',
    '',
    'config KVM_AMD_SEV',
    '\tbool "AMD Secure Encrypted Virtualization (SEV) support"',
    '\tdepends on KVM_AMD && X86_64',
    '\tdepends on CRYPTO_DEV_SP_PSP && !(KVM_AMD=y && CRYPTO_DEV_CCP_DD=m)',
    '',
    'config KVM_EITHER',
    '\ttristate "Either"',
    '\tdepends on KVM || KVM_AMD',
    '',
  ].join('\n');
  const makefile = ['kvm-amd-y += svm/svm.o', 'obj-$(CONFIG_KVM_AMD) += kvm-amd.o', 'obj-$(CONFIG_KVM_EITHER) += either.o', ''].join('\n');
  const tree = () => KernelTree.open(treeWith({ 'arch/x86/kvm/Kconfig': kconfig, 'arch/x86/kvm/Makefile': makefile, 'virt/kvm/kvm_main.c': '' }));

  it('what a symbol depends on at the top level of `&&` is enabled with it; a part under `||` is not', () => {
    const config = moduleConfig(tree(), 'arch/x86/kvm/svm/svm.c');
    expect(config.symbol).toBe('CONFIG_KVM_AMD');
    expect([...config.enabled].sort()).toEqual(['CONFIG_KVM', 'CONFIG_KVM_AMD']);
    expect(config.type).toEqual({ loadable: true, file: 'arch/x86/kvm/Kconfig', line: 5, text: 'tristate "KVM for AMD processors support"' });
  });

  it('a dependency that is an `||` at the top level makes nothing sure', () => {
    expect([...moduleConfig(tree(), 'arch/x86/kvm/either.c').enabled]).toEqual(['CONFIG_KVM_EITHER']);
  });
});
