// check --kernel on the fixture trees (test/fixtures/<name>/, C written for these tests in the
// kernel's style), each with its own plugin manifest: the exact findings, and the derived
// plugins they come from.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, type Finding } from '@kvm-rules/core';
import { assert, describe, expect, it } from 'vitest';
import { KernelTree } from '../src/kernel-tree.js';
import { brief, checkKernel, copyFixture, fixture, fixturePlugin, runCli, treeWith } from './helpers.js';

/** The fixtures' shared kvm_init() has the weak virtualization hooks that no demo arch implements. */
const UNUSED_WEAK_HOOKS = ['no-unused-hook generic warning virt/kvm/kvm_main.c:20:1', 'no-unused-hook generic warning virt/kvm/kvm_main.c:24:1'];

const late = () => checkKernel(fixture('late-percpu'), { plugins: [fixturePlugin('late-percpu')], archs: ['demo-vmx'] });
const ordered = (dir = fixture('ordered')) => checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-mips'] });

describe('late-percpu: kvm_init() in the middle of a VMX-like module init', () => {
  it('reports the hardware-disable hook reading the per-CPU list set up after kvm_init(), and the work after kvm_init()', async () => {
    const { findings } = await late();
    expect(findings.map(brief)).toEqual([
      'hook-state-initialized demo-vmx error arch/demox/kvm/vmx/vmx.c:43:42',
      'kvm-init-last demo-vmx warning arch/demox/kvm/vmx/vmx.c:156:3',
    ]);
    const [hookState, initLast] = findings;
    expect(hookState?.profile).toBe('kernel-6.12.0');
    expect(hookState?.message).toContain('hardware-disable hook kvm_arch_disable_virtualization_cpu()');
    expect(hookState?.message).toContain('reads demo_loaded_vmcss through demo_vmx_hardware_disable() → demo_vmclear_loaded_vmcss()');
    expect(hookState?.message).toContain('initialized by phase "INIT_LIST_HEAD" (INIT_LIST_HEAD()) of demo_vmx_init()');
    // The rollback of misc_register() runs it with no window to wait for (reach-and-kconfig.kernel.test.ts has the related places).
    expect(hookState?.message).toContain('certain, no window needed: it runs on rollback of kvm_init() step "misc_register"');
    expect(initLast?.message).toContain('demo_vmx_init() does work after kvm_init(): "INIT_LIST_HEAD", "demo_pi_init_cpu"');
  });

  it('derives the phases of the success path only: the unwind blocks after `return 0` are undo steps, never phases', async () => {
    const { analysis } = await late();
    const phases = analysis.plugins[0]!.modules[0]!.phases;
    expect(phases.map((p) => `${p.id}:${p.call}@${p.location.line}`)).toEqual([
      'demo_cpu_has_vmx:demo_cpu_has_vmx@139',
      'kvm_x86_vendor_init:kvm_x86_vendor_init@142',
      'demo_l1d_flush_setup:demo_l1d_flush_setup@146',
      'kvm_init:kvm_init@150',
      'INIT_LIST_HEAD:INIT_LIST_HEAD@156',
      'demo_pi_init_cpu:demo_pi_init_cpu@158',
    ]);
    const calls = phases.map((p) => p.call);
    for (const unwind of ['demo_vmx_cleanup', 'kvm_x86_vendor_exit', 'demo_l1d_flush_teardown', 'demo_free_vmxon_regions']) {
      expect(calls).not.toContain(unwind);
    }
    const source = analysis.sources[0]!.modules[0]!.statements;
    const kvmInit = source.find((s) => s.statement.call === 'kvm_init');
    assert(kvmInit, 'the kvm_init() statement');
    expect(kvmInit.statement.undo.map((u) => `${u.call}@${u.place.line}`)).toEqual(['demo_vmx_cleanup@164', 'kvm_x86_vendor_exit@166']);
    expect(source.filter((s) => s.afterKvmInit).map((s) => s.statement.call)).toEqual(['INIT_LIST_HEAD', 'demo_pi_init_cpu']);
  });

  it('resolves the hooks through the ops table: static_call(kvm_x86_hardware_enable)() and kvm_x86_call(hardware_disable)()', async () => {
    const { analysis } = await late();
    const hooks = analysis.plugins[0]!.hooks;
    expect([...hooks.keys()].sort()).toEqual(['hardware-disable', 'hardware-enable', 'virtualization-disable', 'virtualization-enable']);
    const enable = hooks.get('hardware-enable');
    assert(enable, 'the hardware-enable hook');
    expect(enable.impl).toBe('kvm_arch_enable_virtualization_cpu');
    expect(enable.reaches).toContain('demo_vmx_hardware_enable');
    expect(enable.requires.map((r) => ({ state: r.state, via: r.via }))).toEqual([{ state: 'demo_vmxon_region', via: ['demo_vmx_hardware_enable'] }]);
    const disable = hooks.get('hardware-disable');
    assert(disable, 'the hardware-disable hook');
    expect(disable.reaches).toEqual(expect.arrayContaining(['demo_vmx_hardware_disable', 'demo_vmclear_loaded_vmcss']));
    expect(disable.requires.map((r) => ({ state: r.state, via: r.via, at: `${r.location.file}:${r.location.line}` }))).toEqual([
      { state: 'demo_loaded_vmcss', via: ['demo_vmx_hardware_disable', 'demo_vmclear_loaded_vmcss'], at: 'arch/demox/kvm/vmx/vmx.c:43' },
    ]);
    expect(hooks.get('virtualization-enable')?.requires.map((r) => r.state)).toEqual(['kvm_x86_ops']);
  });

  it('resolves kvm_x86_call(hardware_enable)() the same way as static_call(kvm_x86_hardware_enable)()', async () => {
    const dir = copyFixture('late-percpu');
    const x86 = join(dir, 'arch/demox/kvm/x86.c');
    const text = readFileSync(x86, 'utf8');
    writeFileSync(x86, text.replace('static_call(kvm_x86_hardware_enable)()', 'kvm_x86_call(hardware_enable)()'));
    expect(readFileSync(x86, 'utf8')).not.toBe(text);
    const { analysis, findings } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });
    const enable = analysis.plugins[0]!.hooks.get('hardware-enable');
    assert(enable, 'the hardware-enable hook');
    expect(enable.reaches).toContain('demo_vmx_hardware_enable');
    expect(enable.requires.map((r) => ({ state: r.state, via: r.via }))).toEqual([{ state: 'demo_vmxon_region', via: ['demo_vmx_hardware_enable'] }]);
    expect(findings.map(brief)).toEqual((await late()).findings.map(brief));
  });

  it("a failure path that calls the step's undo, which leaves what the module exit frees, is told the call that frees it, not the one it makes", async () => {
    // The regions are freed by the module's own cleanup, not by kvm_x86_vendor_exit(): the
    // l1d-flush failure path, which calls only kvm_x86_vendor_exit(), leaks them.
    const dir = copyFixture('late-percpu');
    const edit = (file: string, from: string, to: string) => {
      const text = readFileSync(join(dir, file), 'utf8');
      expect(text).toContain(from);
      writeFileSync(join(dir, file), text.replace(from, to));
    };
    edit('arch/demox/kvm/x86.c', '\tkvm_x86_call(hardware_unsetup)();\n', '');
    edit('arch/demox/kvm/vmx/vmx.c', '\tdemo_l1d_flush_teardown();\n}', '\tdemo_l1d_flush_teardown();\n\tdemo_free_vmxon_regions();\n}');
    const { findings } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });
    const leak = findings.filter((f) => f.ruleId === 'unwind-on-failure');
    expect(leak.map(brief)).toEqual(['unwind-on-failure demo-vmx error arch/demox/kvm/vmx/vmx.c:148:2']);
    expect(leak[0]!.message).toContain(
      'does not undo kvm_x86_vendor_init(): demo_vmxon_region stays set up; call demo_free_vmxon_regions() before returning the error',
    );
  });

  it('the built CLI reports the same findings, and exits 1 for the error', () => {
    const { status, stdout, stderr } = runCli(
      'check',
      '--kernel',
      fixture('late-percpu'),
      '--plugin',
      fixturePlugin('late-percpu'),
      '--arch',
      'demo-vmx',
      '--format',
      'json',
    );
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const result = JSON.parse(stdout) as { profile: string; archs: string[]; findings: Finding[]; summary: { errors: number; warnings: number } };
    expect(result.profile).toBe('kernel-6.12.0');
    expect(result.archs).toEqual(['demo-vmx']);
    expect(result.summary).toEqual({ errors: 1, warnings: 1 });
    expect(result.findings.map(brief)).toEqual([
      'hook-state-initialized demo-vmx error arch/demox/kvm/vmx/vmx.c:43:42',
      'kvm-init-last demo-vmx warning arch/demox/kvm/vmx/vmx.c:156:3',
    ]);
  });

  it('reaches the vendor setup through ops->hardware_setup() in kvm_x86_vendor_init(), so the state it allocates counts as set up before kvm_init()', async () => {
    const { analysis } = await late();
    const vendorInit = analysis.plugins[0]!.modules[0]!.phases.find((p) => p.id === 'kvm_x86_vendor_init');
    assert(vendorInit, 'the kvm_x86_vendor_init phase');
    expect(vendorInit.initializes).toEqual(expect.arrayContaining(['kvm_x86_ops', 'demo_vmxon_region', 'enable_demo_ept']));
    const state = analysis.plugins[0]!.state;
    expect(state.get('demo_vmxon_region')).toMatchObject({ kind: 'per-cpu', static: false, location: { file: 'arch/demox/kvm/vmx/vmx.c', line: 19 } });
    expect(state.get('demo_loaded_vmcss')).toMatchObject({ kind: 'per-cpu', static: false, location: { file: 'arch/demox/kvm/vmx/vmx.c', line: 22 } });
  });
});

describe('ordered: a MIPS-like module init with everything before kvm_init()', () => {
  it('has nothing to report about the arch; the generic side has weak hooks no arch implements', async () => {
    const { findings } = await ordered();
    expect(findings.map(brief)).toEqual([...UNUSED_WEAK_HOOKS]);
  });

  it("reads `if (err) { undo(); return err; }` as kvm_init()'s failure path, and the for_each_possible_cpu() loop as a phase", async () => {
    const { analysis } = await ordered();
    const phases = analysis.plugins[0]!.modules[0]!.phases;
    expect(phases.map((p) => `${p.id}:${p.call}@${p.location.line}`)).toEqual([
      'demo_cpu_has_mmid:demo_cpu_has_mmid@53',
      'demo_entry_setup:demo_entry_setup@58',
      'demo_emulation_init:demo_emulation_init@62',
      'INIT_LIST_HEAD:INIT_LIST_HEAD@67',
      'register_die_notifier:register_die_notifier@70',
      'kvm_init:kvm_init@74',
    ]);
    expect(phases.map((p) => p.call)).not.toContain('unregister_die_notifier');
    expect(phases.find((p) => p.id === 'INIT_LIST_HEAD')?.initializes).toEqual(['demo_guest_tlbs']);
    const kvmInit = analysis.sources[0]!.modules[0]!.statements.find((s) => s.statement.call === 'kvm_init');
    assert(kvmInit, 'the kvm_init() statement');
    expect(kvmInit.statement.undo.map((u) => `${u.call}@${u.place.line}`)).toEqual(['unregister_die_notifier@76']);
  });

  it('follows the struct-field callbacks demo_callbacks->hardware_enable() into the table filled by designated initializers', async () => {
    const { analysis } = await ordered();
    const hooks = analysis.plugins[0]!.hooks;
    const enable = hooks.get('hardware-enable');
    assert(enable, 'the hardware-enable hook');
    expect(enable.reaches).toEqual(expect.arrayContaining(['demo_vz_hardware_enable', 'demo_flush_guest_tlbs']));
    expect(enable.requires.map((r) => `${r.state} via [${r.via.join(', ')}]`)).toEqual([
      'demo_callbacks via []',
      'demo_guest_id_bits via [demo_vz_hardware_enable]',
      'demo_guest_tlbs via [demo_vz_hardware_enable, demo_flush_guest_tlbs]',
    ]);
    expect(hooks.get('hardware-disable')?.requires.map((r) => r.state)).toEqual(['demo_callbacks', 'demo_guest_tlbs']);
    // Written by a phase, but with a value from compile time (`= -1`).
    expect(analysis.plugins[0]!.state.get('demo_entry_scratch_reg')).toMatchObject({ kind: 'global', static: true });
    expect(analysis.plugins[0]!.state.get('demo_guest_tlbs')).toMatchObject({
      kind: 'per-cpu',
      static: false,
      location: { file: 'arch/demom/kvm/vz.c', line: 16 },
    });
  });

  it('a file that is not UTF-8 is a source-unreadable error naming the file and the line, and the rest is still analyzed', async () => {
    const dir = copyFixture('ordered');
    const vz = join(dir, 'arch/demom/kvm/vz.c');
    // An author's name in Latin-1, as old kernel files have them.
    writeFileSync(vz, Buffer.from(readFileSync(vz, 'utf8').replace('Demo Maintainer', 'D\xe9mo Maintainer'), 'latin1'));
    const { findings, analysis } = await ordered(dir);
    expect(findings.map(brief)).toEqual([
      'plugin-drift demo-mips warning arch/demom/kvm/mips.c:17:1',
      'plugin-drift demo-mips warning arch/demom/kvm/mips.c:22:1',
      'source-unreadable demo-mips error arch/demom/kvm/vz.c:3:1',
      ...UNUSED_WEAK_HOOKS,
    ]);
    expect(findings[2]!.message).toBe('arch/demom/kvm/vz.c is not UTF-8 text (first bad byte on line 3)');
    // Without vz.c, the hooks no longer reach the callbacks the plugin names.
    expect(findings[0]!.message).toContain('the hardware-enable hook is declared as demo_vz_hardware_enable(), which kvm_arch_enable_virtualization_cpu()');
    expect(findings[1]!.message).toContain('the hardware-disable hook is declared as demo_vz_hardware_disable()');
    // mips.c is still read: its module init and the hooks' own reads.
    expect(analysis.plugins[0]!.modules[0]!.phases.map((p) => p.call)).toContain('kvm_init');
    expect(analysis.plugins[0]!.hooks.get('hardware-enable')?.requires.map((r) => r.state)).toEqual(['demo_callbacks']);
  });

  it('a module file that is not UTF-8 is a source-unreadable error naming it, never a silent pass', async () => {
    const dir = copyFixture('ordered');
    const mips = join(dir, 'arch/demom/kvm/mips.c');
    writeFileSync(mips, Buffer.from(readFileSync(mips, 'utf8').replace('with `if', 'with \xabif'), 'latin1'));
    const { findings } = await ordered(dir);
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => f.ruleId)).toEqual(expect.arrayContaining(['source-unreadable']));
    expect(errors.every((f) => f.ruleId === 'source-unreadable')).toBe(true);
    expect(errors.map((f) => `${brief(f)} ${f.message}`)).toContain(
      'source-unreadable demo-mips error arch/demom/kvm/mips.c:5:1 arch/demom/kvm/mips.c is not UTF-8 text (first bad byte on line 5)',
    );
  });
});

describe('partly-read: a macro tree-sitter misparses inside the module init', () => {
  it('warns with the file and line, and still reads the rest of the module init and the hooks', async () => {
    const { findings, analysis } = await checkKernel(fixture('partly-read'), { plugins: [fixturePlugin('partly-read')], archs: ['demo-arm'] });
    expect(findings.map(brief)).toEqual([
      'source-partly-read demo-arm warning arch/demoa/kvm/arm.c:59:39',
      'kvm-init-last demo-arm warning arch/demoa/kvm/arm.c:71:2',
      ...UNUSED_WEAK_HOOKS,
    ]);
    expect(findings[0]!.message).toBe('tree-sitter could not parse part of demo_arm_init(); the analysis skips what it could not read there');
    expect(findings[1]!.message).toContain('demo_arm_init() does work after kvm_init(): "demo_arm_initialised"');
    const phases = analysis.plugins[0]!.modules[0]!.phases;
    // After the scoped_guard() on line 59: the assignment in its block, demo_init_vgic(), kvm_init() and the flag.
    expect(phases.filter((p) => p.location.line > 59).map((p) => `${p.id}@${p.location.line}`)).toEqual([
      'demo_read_vmid_bits@60',
      'demo_init_vgic@63',
      'kvm_init@67',
      'demo_arm_initialised@71',
    ]);
    expect(analysis.plugins[0]!.hooks.get('hardware-enable')?.requires.map((r) => r.state)).toEqual(['demo_hyp_vectors', 'demo_vgic_global_state']);
  });
});

describe('missing-module: the plugin names a module file the tree does not have', () => {
  it('is a source-unreadable error naming the file, and only that: drift does not blame the plugin too', async () => {
    const { findings } = await checkKernel(fixture('missing-module'), { plugins: [fixturePlugin('missing-module')], archs: ['demo-z'] });
    expect(findings.map(brief)).toEqual(['source-unreadable demo-z error arch/demoz/kvm/demoz.c:1:1', ...UNUSED_WEAK_HOOKS]);
    expect(findings[0]!.message).toBe('arch/demoz/kvm/demoz.c is not in the tree: cannot analyze demoz_init()');
  });
});

describe('not-a-kernel: a directory that is not a kernel tree', () => {
  it('KernelTree.open() refuses it with an InputError naming what is missing', () => {
    const dir = fixture('not-a-kernel');
    expect(() => KernelTree.open(dir)).toThrow(new InputError(`--kernel: ${dir} is not a Linux kernel tree (missing virt/kvm/kvm_main.c, arch)`));
    expect(() => KernelTree.open(join(dir, 'no-such-dir'))).toThrow(new InputError(`--kernel: no such directory: ${join(dir, 'no-such-dir')}`));
    const noVersion = treeWith({ Makefile: '# a Makefile without VERSION\n', 'virt/kvm/kvm_main.c': '' });
    expect(() => KernelTree.open(noVersion)).toThrow(new InputError(`--kernel: ${noVersion}/Makefile has no VERSION and PATCHLEVEL: not a Linux kernel tree`));
  });

  it('check --kernel exits 2 with one clear line', () => {
    const dir = fixture('not-a-kernel');
    const { status, stdout, stderr } = runCli('check', '--kernel', dir, '--plugin', fixturePlugin('not-a-kernel'), '--arch', 'demo-none', '--format', 'json');
    expect(stdout).toBe('');
    expect(stderr).toBe(`kvm-rules: --kernel: ${dir} is not a Linux kernel tree (missing virt/kvm/kvm_main.c, arch)\n`);
    expect(status).toBe(2);
  });

  it('deps --kernel exits 2 with the same line', () => {
    const dir = fixture('not-a-kernel');
    const { status, stderr } = runCli('deps', '--kernel', dir, '--plugin', fixturePlugin('not-a-kernel'), '--arch', 'demo-none');
    expect(stderr).toBe(`kvm-rules: --kernel: ${dir} is not a Linux kernel tree (missing virt/kvm/kvm_main.c, arch)\n`);
    expect(status).toBe(2);
  });
});
