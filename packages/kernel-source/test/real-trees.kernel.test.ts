// The analysis of real kernel trees: Debian's linux-source-6.12 and linux-source-6.1, fetched by
// scripts/kernels.mjs into .cache/kernels/ when missing. A tree that cannot be had fails these
// tests (beforeAll throws); they never skip.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import type { Finding } from '@kvm-rules/core';
import { brief, checkKernel, emptied, scopeOf, type CheckRun } from './helpers.js';

const ALL_ARCHS = ['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390', 'loongarch'];

/**
 * What each module init of Linux 6.12 calls on its failure paths only (read from the source: the
 * blocks after `return 0`, `if (r) { undo(); return r; }`, `if (r) undo(); return r;`). None of
 * these is init work, so none may be a phase; they are the undo of kvm_init() instead.
 */
const UNWIND_612: Record<string, string[]> = {
  vmx_init: ['__vmx_exit', 'kvm_x86_vendor_exit'],
  svm_init: ['__svm_exit'],
  kvm_mips_init: ['unregister_die_notifier'],
  kvm_arm_init: ['teardown_subsystems', 'teardown_hyp_mode', 'kvm_arm_vmid_alloc_free'],
  riscv_kvm_init: ['kvm_riscv_aia_exit'],
  kvm_s390_init: ['__kvm_s390_exit'],
  kvm_loongarch_init: ['kvm_loongarch_env_exit'],
  kvmppc_book3s_init: [],
  kvmppc_e500_init: [],
  kvmppc_e500mc_init: [],
};

let linux612 = '';
let linux61 = '';
let run612: CheckRun;

beforeAll(async () => {
  linux612 = fetchKernel('6.12');
  linux61 = fetchKernel('6.1');
  run612 = await checkKernel(linux612, { archs: ALL_ARCHS });
}, 600_000);

describe("Linux 6.12, all built-in archs, the tree's own ordering", () => {
  it('reads kvm_init() of the tree as the ordering', () => {
    expect(run612.tree.version).toMatch(/^6\.12\.\d+$/);
    expect(run612.profile.id).toBe(`kernel-${run612.tree.version}`);
    expect(run612.profile.kvmInit.some((step) => step.exposes === 'dev-kvm')).toBe(true);
    expect(run612.profile.kvmInit.flatMap((step) => step.calls.map((c) => `${c.role}/${c.on}`))).toEqual(
      expect.arrayContaining(['hardware-enable/each-online-cpu']),
    );
  });

  it('covers x86-vmx, x86-svm, mips, arm64, riscv, powerpc, s390 and loongarch: each module init read up to kvm_init(), no arch left unreadable', () => {
    const { analysis } = run612;
    expect(analysis.plugins.map((p) => p.id)).toEqual(ALL_ARCHS);
    for (const plugin of analysis.plugins) {
      expect(plugin.source?.problems.filter((p) => p.severity === 'error') ?? [], plugin.id).toEqual([]);
      expect(plugin.modules.length, plugin.id).toBeGreaterThan(0);
      for (const module of plugin.modules) {
        expect(
          module.phases.map((p) => p.call),
          `${plugin.id} ${module.init}`,
        ).toContain('kvm_init');
      }
    }
    expect(analysis.plugins.find((p) => p.id === 'powerpc')?.modules.map((m) => m.init)).toEqual([
      'kvmppc_book3s_init',
      'kvmppc_e500_init',
      'kvmppc_e500mc_init',
    ]);
    for (const arch of ['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'loongarch']) {
      const hooks = analysis.plugins.find((p) => p.id === arch)?.hooks;
      assert(hooks, arch);
      expect([...hooks.keys()], arch).toEqual(expect.arrayContaining(['hardware-enable', 'hardware-disable']));
    }
  });

  it('every finding has a location in a kernel file of the tree, with a line', () => {
    expect(run612.findings.length).toBeGreaterThan(0);
    for (const finding of run612.findings) {
      const where = brief(finding);
      assert(finding.location, `${where}: no location`);
      expect(finding.location.file, where).toMatch(/^(?:arch|virt)\//);
      expect(existsSync(join(linux612, finding.location.file)), where).toBe(true);
      expect(finding.location.line, where).toBeGreaterThan(0);
    }
  });

  it('no phase of any derived module comes from an error-unwind block: those calls are undo steps', () => {
    const { analysis } = run612;
    const modules = analysis.plugins.flatMap((p) => p.modules.map((m) => ({ arch: p.id, module: m })));
    expect(modules.map((m) => m.module.init).sort()).toEqual(Object.keys(UNWIND_612).sort());
    for (const { arch, module } of modules) {
      const unwind = UNWIND_612[module.init]!;
      const calls = module.phases.map((p) => p.call);
      for (const call of unwind) expect(calls, `${arch} ${module.init}() has ${call}() as a phase`).not.toContain(call);
    }
    // vmx_init(): err_kvm_init runs __vmx_exit(), err_l1d_flush kvm_x86_vendor_exit().
    const vmx = analysis.plugins.find((p) => p.id === 'x86-vmx')?.modules[0];
    assert(vmx, 'the x86-vmx module init');
    expect(vmx.phases.map((p) => p.call)).not.toEqual(expect.arrayContaining(['__vmx_exit']));
    expect(vmx.phases.map((p) => p.call)).not.toEqual(expect.arrayContaining(['kvm_x86_vendor_exit']));
  });

  it('the failure path of each kvm_init() call runs exactly the unwind calls of the source', () => {
    for (const source of run612.analysis.sources) {
      for (const module of source.modules) {
        const kvmInit = module.statements.find((s) => s.statement.call === 'kvm_init');
        expect(kvmInit, `${source.arch} ${module.init.name}`).toBeDefined();
        expect(
          kvmInit?.statement.undo.map((u) => u.call),
          `${source.arch} ${module.init.name}`,
        ).toEqual(UNWIND_612[module.init.name]);
      }
    }
  });

  it('x86-vmx: the hardware-disable hook requires loaded_vmcss_on_cpu through vmclear_local_loaded_vmcss()', () => {
    const vmx = run612.analysis.plugins.find((p) => p.id === 'x86-vmx');
    assert(vmx, 'the x86-vmx plugin');
    const disable = vmx.hooks.get('hardware-disable');
    assert(disable, 'the hardware-disable hook');
    expect(disable.impl).toBe('kvm_arch_disable_virtualization_cpu');
    const loaded = disable.requires.find((r) => r.state === 'loaded_vmcss_on_cpu');
    expect(loaded, disable.requires.map((r) => r.state).join(', ')).toBeDefined();
    expect(loaded?.via).toContain('vmclear_local_loaded_vmcss');
    expect(loaded?.location.file).toBe('arch/x86/kvm/vmx/vmx.c');
    // The for_each_possible_cpu() loop that initializes it is a phase before kvm_init().
    const phases = vmx.modules[0]!.phases;
    const init = phases.findIndex((p) => p.initializes.includes('loaded_vmcss_on_cpu'));
    expect(init).toBeGreaterThanOrEqual(0);
    expect(phases[init]!.call).toBe('INIT_LIST_HEAD');
    expect(init).toBeLessThan(phases.findIndex((p) => p.call === 'kvm_init'));
    expect(run612.findings.filter((f) => f.arch === 'x86-vmx' && f.ruleId === 'hook-state-initialized')).toEqual([]);
  });

  it('a derived plugin keeps what only the manifest can say: the summaries of hooks and of cataloged state', () => {
    const loongarch = run612.analysis.plugins.find((p) => p.id === 'loongarch');
    assert(loongarch, 'the loongarch plugin');
    expect(loongarch.hooks.get('hardware-enable')?.summary).toMatch(/^Programs GCFG/);
    expect(loongarch.state.get('vmcs')?.summary).toMatch(/^The per-CPU struct kvm_context/);
  });

  it('mips: kvm_init() last and nothing a hook reads set up late: no kvm-init-last, no hook-state-initialized', () => {
    const mips = run612.findings.filter((f) => f.arch === 'mips' && ['kvm-init-last', 'hook-state-initialized'].includes(f.ruleId));
    expect(mips.map(brief)).toEqual([]);
  });
});

/** A finding as what the code says: rule, arch and file, without the line Debian's next point release moves. */
const what = (f: Finding) => `${f.ruleId} ${f.arch} ${f.location?.file}`;
const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');
const aboutTheKernel = (findings: Finding[]) => findings.filter((f) => f.ruleId !== 'plugin-drift').map((f) => `${brief(f)} ${f.message}`);

describe('Linux 6.12: unwinding read from the C', () => {
  it('errors only where a failure path leaves something set up, each with the missing undo and its evidence', () => {
    const errors = errorsOf(run612.findings);
    expect(errors.map(what)).toEqual([
      'unwind-on-failure generic virt/kvm/kvm_main.c',
      'unwind-on-failure powerpc arch/powerpc/kvm/book3s.c',
      'unwind-on-failure powerpc arch/powerpc/kvm/e500.c',
      'unwind-on-failure riscv arch/riscv/kvm/main.c',
    ]);
    const [generic, book3s, e500, riscv] = errors.map((f) => f.message);
    // kvm_init() creates the debugfs directory and only kvm_exit() removes it.
    expect(generic).toMatch(
      /^kvm_init\(\): kvm_vfio_ops_init\(\) can fail, but its failure path does not undo kvm_init_debug\(\): kvm_debugfs_dir stays set up; call debugfs_remove_recursive\(\)/,
    );
    expect(generic).toContain('(kvm_exit() undoes it with debugfs_remove_recursive())');
    // With CONFIG_KVM_BOOK3S_32_HANDLER, the error of kvmppc_book3s_init_pr() is returned after kvm_init() succeeded.
    expect(book3s).toMatch(/^kvmppc_book3s_init\(\): kvmppc_book3s_init_pr\(\) can fail, but its failure path does not undo kvm_init\(\).*call kvm_exit\(\)/);
    expect(e500).toMatch(
      /^kvmppc_e500_init\(\): kvm_init\(\) can fail, but its failure path does not undo kvmppc_booke_init\(\): kvmppc_booke_handlers stays set up; call free_pages\(\)/,
    );
    expect(e500).toContain('module_exit(kvmppc_e500_exit) undoes it through kvmppc_booke_exit() → free_pages()');
    expect(riscv).toMatch(/^riscv_kvm_init\(\) returns an error at `default:` without undoing kvm_riscv_aia_init\(\).*call kvm_riscv_aia_exit\(\)/);
  });

  it("an undo through a helper is an undo: vmx_init()'s __vmx_exit(), svm_init()'s __svm_exit(), loongarch's kvm_loongarch_env_exit()", () => {
    for (const arch of ['x86-vmx', 'x86-svm', 'loongarch', 's390', 'mips', 'arm64']) {
      expect(run612.findings.filter((f) => f.arch === arch && f.ruleId === 'unwind-on-failure').map(brief), arch).toEqual([]);
    }
    const vmx = run612.analysis.plugins.find((p) => p.id === 'x86-vmx')?.modules[0];
    assert(vmx, 'the x86-vmx module init');
    const kvmInitFails = vmx.unwinding?.failures.find((f) => f.failing?.call === 'kvm_init()');
    expect(kvmInitFails?.missing).toEqual([]);
    expect(kvmInitFails?.undone.map((u) => `${u.setUp.step} by ${u.call}`)).toEqual([
      'kvm_x86_vendor_init by kvm_x86_vendor_exit',
      'vmx_setup_l1d_flush by vmx_cleanup_l1d_flush',
      'allow_smaller_maxphyaddr by __vmx_exit',
    ]);
  });

  it('the e500mc module is read in its configuration: KVM_E500MC selects KVM_BOOKE_HV, under which kvmppc_booke_init() allocates nothing', () => {
    expect(run612.findings.filter((f) => f.location?.file === 'arch/powerpc/kvm/e500mc.c' && f.ruleId === 'unwind-on-failure')).toEqual([]);
  });
});

describe("Linux 6.1, the tree's own ordering", () => {
  let run61: CheckRun;
  beforeAll(async () => {
    run61 = await checkKernel(linux61, { archs: ALL_ARCHS.filter((arch) => arch !== 'loongarch') });
  }, 600_000);

  it("the errors the stable tree has: unwinding in arm64's setup hook and in kvm_init(), powerpc's, and VMX reading enable_ept before hardware_setup() settles it", () => {
    expect(errorsOf(run61.findings).map(what)).toEqual([
      'unwind-on-failure arm64 arch/arm64/kvm/arm.c',
      'unwind-on-failure arm64 arch/arm64/kvm/arm.c',
      'unwind-on-failure generic virt/kvm/kvm_main.c',
      'unwind-on-failure generic virt/kvm/kvm_main.c',
      'unwind-on-failure powerpc arch/powerpc/kvm/book3s.c',
      'unwind-on-failure powerpc arch/powerpc/kvm/e500.c',
      'read-before-settled x86-vmx arch/x86/kvm/vmx/vmx.c',
      'read-before-settled x86-vmx arch/x86/kvm/vmx/vmx.c',
    ]);
    const messages = errorsOf(run61.findings).map((f) => f.message);
    // kvm_arch_init(), a setup hook kvm_init() runs: init_hyp_mode() is not torn down when kvm_init_vector_slots() fails (6.12's kvm_arm_init() goes to out_hyp).
    expect(messages[0]).toMatch(
      /^kvm_arch_init\(\): kvm_init_vector_slots\(\) can fail, but its failure path does not undo init_hyp_mode\(\).*call teardown_hyp_mode\(\)/,
    );
    // The perf callbacks init_subsystems() registers stay when finalize_hyp_mode() fails (6.12's teardown_subsystems() unregisters them).
    expect(messages[1]).toMatch(
      /^kvm_arch_init\(\): finalize_hyp_mode\(\) can fail, but its failure path does not undo init_subsystems\(\): what kvm_register_perf_callbacks\(\) set up stays set up; call kvm_unregister_perf_callbacks\(\)/,
    );
    expect(messages.slice(2, 4).join('\n')).toMatch(
      /does not undo kvm_init_debug\(\)[^\n]*\n.*does not undo register_syscore_ops\(\): kvm_syscore_ops stays set up; call unregister_syscore_ops\(\)/,
    );
    expect(messages[6]).toMatch(
      /^vmx_init\(\): vmx_setup_l1d_flush\(\) reads enable_ept to decide what to do before kvm_init\(\) step "kvm_arch_hardware_setup" runs the hardware-setup hook kvm_arch_hardware_setup\(\)/,
    );
    expect(messages[7]).toMatch(/^vmx_init\(\): allow_smaller_maxphyaddr = … reads enable_ept to decide/);
    expect(errorsOf(run61.findings)[6]!.related?.map((r) => r.message)).toEqual(['enable_ept is read here', 'kvm_arch_hardware_setup() sets enable_ept here']);
  });

  it("x86-vmx's stable backport runs vmx_setup_l1d_flush() before kvm_init(): its failure path undoes kvm_x86_vendor_init() and nothing of kvm_init()", () => {
    const vmx = run61.analysis.plugins.find((p) => p.id === 'x86-vmx')?.modules[0];
    assert(vmx, 'the x86-vmx module init');
    const l1d = vmx.phases.findIndex((p) => p.call === 'vmx_setup_l1d_flush');
    expect(l1d).toBeLessThan(vmx.phases.findIndex((p) => p.call === 'kvm_init'));
    expect(vmx.phases[l1d]!.unwinds).toEqual(['kvm_x86_vendor_init']);
  });
});

describe('every fact from the C: plugins emptied to their id and module inits give the same findings', () => {
  for (const version of ['6.12', '6.1']) {
    it(`Linux ${version}`, async () => {
      const dir = version === '6.12' ? linux612 : linux61;
      const archs = version === '6.12' ? ALL_ARCHS : ALL_ARCHS.filter((arch) => arch !== 'loongarch');
      const shipped = version === '6.12' ? run612 : await checkKernel(dir, { archs });
      const bare = await checkKernel(dir, { archs, declared: emptied });
      expect(
        bare.analysis.plugins.every((p) => (p.source?.declared?.hooks.size ?? 0) === 0 && (p.source?.declared?.modules[0]?.phases.length ?? 0) === 0),
      ).toBe(true);
      expect(aboutTheKernel(bare.findings)).toEqual(aboutTheKernel(shipped.findings));
    }, 120_000);
  }
});

describe('Linux 6.1 with the v6.12 ordering ("what if")', () => {
  it('mips: the die notifier is registered after kvm_init(), which under v6.12 has already exposed /dev/kvm', async () => {
    const { findings, profile, tree } = await checkKernel(linux61, { archs: ['mips'], profile: 'v6.12' });
    expect(tree.version).toMatch(/^6\.1\.\d+$/);
    expect(profile.id).toBe('v6.12');
    const late = findings.filter((f) => f.arch === 'mips' && f.ruleId === 'kvm-init-last');
    expect(late).toHaveLength(1);
    expect(late[0]!.profile).toBe('v6.12');
    expect(late[0]!.severity).toBe('warning');
    expect(late[0]!.location).toMatchObject({ file: 'arch/mips/kvm/mips.c' });
    expect(late[0]!.message).toContain('kvm_mips_init() does work after kvm_init()');
    expect(late[0]!.message).toContain('"register_die_notifier"');
    expect(late[0]!.related?.map((r) => r.message)).toContain('"register_die_notifier" (register_die_notifier()) also runs after kvm_init()');
  });
});

describe('never a crash on real C', () => {
  it('every function of the 6.12 KVM code (virt/kvm and every arch) is indexed and read without throwing', async () => {
    const { tree, scope } = await scopeOf(linux612, 'virt/kvm/', (t) => [...t.cFiles('virt/kvm', false), ...t.cFiles('arch', true)]);
    let functions = 0;
    for (const defs of scope.functions.values()) {
      for (const def of defs) {
        expect(() => scope.info(def), `${def.file}:${def.line} ${def.name}()`).not.toThrow();
        functions++;
      }
    }
    // Every file was readable UTF-8; the index found the bulk of the code.
    expect(tree.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(functions).toBeGreaterThan(4000);
  }, 120_000);
});
