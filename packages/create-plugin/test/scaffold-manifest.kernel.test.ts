// scaffoldManifest(): a new plugin.yaml written from a kernel tree. On the fixture trees, the
// exact phases, hooks and state, the comments, and a manifest that core's reader loads; then
// the round trip: checking the tree with the written plugin gives no plugin-drift and the same
// other findings as the plugin written by hand. The same on Linux 6.12 (fetched by
// scripts/kernels.mjs when missing; these tests fail without it, they never skip).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, readPluginManifest, type Finding, type Plugin } from '@kvm-rules/core';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { KernelTree } from '@kvm-rules/kernel-source';
import { scaffoldManifest, type ScaffoldedManifest } from '../src/index.js';
// kernel-source's fixtures and in-process check, shared rather than copied.
import { allProfiles, brief, checkKernel, fixture, fixturePlugin, treeWith, type CheckRun } from '../../kernel-source/test/helpers.js';

const SCHEMA_LINE = '# yaml-language-server: $schema=./node_modules/@kvm-rules/core/schemas/plugin.schema.json';

function scaffold(dir: string, archDir: string, id = 'scaffolded'): Promise<ScaffoldedManifest> {
  return scaffoldManifest(KernelTree.open(dir), { id, archDir, profiles: allProfiles() });
}

const written: string[] = [];
afterAll(() => {
  for (const dir of written) rmSync(dir, { recursive: true, force: true });
});

/** The manifest as a plugin.yaml file in a temporary directory, as `new-plugin` would leave it. */
function writeManifest(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-scaffold-'));
  written.push(dir);
  const file = join(dir, 'plugin.yaml');
  writeFileSync(file, yaml);
  return file;
}

const phasesOf = (plugin: Plugin) =>
  plugin.modules.flatMap((m) =>
    m.phases.map((p) =>
      [
        `${p.id}:${p.call}`,
        p.canFail ? 'canFail' : '',
        p.undo ? `undo ${p.undo}` : '',
        p.unwinds.length > 0 ? `unwinds ${p.unwinds.join(',')}` : '',
        p.initializes.length > 0 ? `initializes ${p.initializes.join(',')}` : '',
      ]
        .filter(Boolean)
        .join(' '),
    ),
  );
const hooksOf = (plugin: Plugin) =>
  [...plugin.hooks.values()].map(
    (h) =>
      `${h.role}: ${h.impl}${h.noop ? ' noop' : ''}${h.requires.map((r) => ` requires ${r.state}${r.via.length > 0 ? ` via ${r.via.join('>')}` : ''}`).join('')}`,
  );
const stateOf = (plugin: Plugin) => [...plugin.state.values()].map((s) => `${s.name} ${s.kind ?? '?'}${s.static ? ' static' : ''}`);

/** A check's findings for one arch, without plugin-drift, comparable across plugin ids. */
const nonDrift = (run: CheckRun, arch: string) =>
  run.findings.filter((f) => f.arch === arch && f.ruleId !== 'plugin-drift').map((f: Finding) => brief(f).replace(` ${arch} `, ' <arch> '));
const drift = (run: CheckRun, arch: string) =>
  run.findings.filter((f) => f.arch === arch && f.ruleId === 'plugin-drift').map((f) => `${brief(f)}: ${f.message}`);

describe('the ordered fixture (a MIPS-like module that sets everything up before kvm_init())', () => {
  let result: ScaffoldedManifest;
  beforeAll(async () => {
    result = await scaffold(fixture('ordered'), 'arch/demom/kvm', 'demo-mips-new');
  });

  it('derives the module init in source order: phases with the undo its failure path shows, kvm-init last', () => {
    const { plugin } = result;
    expect(plugin.id).toBe('demo-mips-new');
    expect(plugin.kernel).toBe('6.12');
    expect(plugin.modules.map((m) => `${m.init} ${m.file}`)).toEqual(['demo_mips_init arch/demom/kvm/mips.c']);
    expect(phasesOf(plugin)).toEqual([
      'demo-cpu-has-mmid:demo_cpu_has_mmid canFail',
      'demo-entry-setup:demo_entry_setup canFail',
      'demo-emulation-init:demo_emulation_init canFail initializes demo_callbacks,demo_guest_id_bits',
      'init-list-head:INIT_LIST_HEAD initializes demo_guest_tlbs',
      'register-die-notifier:register_die_notifier canFail undo unregister_die_notifier',
      'kvm-init:kvm_init canFail undo kvm_exit unwinds register-die-notifier',
    ]);
    expect(plugin.modules[0]!.phases.map((p) => p.location.line)).toEqual([53, 58, 62, 67, 70, 74]);
  });

  it('derives the hook implementations by role, with the state each reads and the call chain to it', () => {
    expect(hooksOf(result.plugin)).toEqual([
      'hardware-disable: kvm_arch_disable_virtualization_cpu requires demo_callbacks requires demo_guest_tlbs via demo_vz_hardware_disable>demo_flush_guest_tlbs',
      'hardware-enable: kvm_arch_enable_virtualization_cpu requires demo_callbacks requires demo_guest_id_bits via demo_vz_hardware_enable requires demo_guest_tlbs via demo_vz_hardware_enable>demo_flush_guest_tlbs',
    ]);
    // The die notifier is cataloged too: register_die_notifier() sets it up, and the failure path of kvm_init() undoes it.
    expect(stateOf(result.plugin)).toEqual([
      'demo_callbacks global',
      'demo_guest_id_bits global',
      'demo_guest_tlbs per-cpu',
      'demo_csr_die_notifier global static',
    ]);
  });

  it('says what it left out: state that module init writes and no hook touches', () => {
    expect(result.notes).toEqual([
      'arch/demom/kvm/mips.c:58: phase "demo-entry-setup" also writes 1 variable no hook of the arch touches (demo_entry_scratch_reg): left out of its initializes',
      'arch/demom/kvm/mips.c:70: phase "register-die-notifier" also writes 1 variable no hook of the arch touches (demo_csr_die_notifier): left out of its initializes',
    ]);
  });

  it('writes the schema line first, a header, and a `# derived: confirm, file:line` on every derived entry', () => {
    const lines = result.yaml.split('\n');
    expect(lines[0]).toBe(SCHEMA_LINE);
    expect(lines[1]).toBe('# Derived from Linux 6.12.0 arch/demom/kvm by kvm-rules: the module init phases, the hook');
    expect(result.yaml).toContain('# `# derived: confirm` must be checked by the maintainer against the source');
    expect(lines).toEqual(
      expect.arrayContaining([
        '      - id: register-die-notifier # derived: confirm, arch/demom/kvm/mips.c:70',
        "      - id: kvm-init # derived: confirm, arch/demom/kvm/mips.c:74; undo: kvm_exit is kvm_init()'s counterpart",
        '    impl: kvm_arch_enable_virtualization_cpu # derived: confirm, arch/demom/kvm/mips.c:17',
        '      - state: demo_guest_tlbs # derived: confirm, arch/demom/kvm/vz.c:25 (read here)',
        '        via: [demo_vz_hardware_enable, demo_flush_guest_tlbs]',
        '  demo_guest_tlbs: # derived: confirm, arch/demom/kvm/vz.c:16 (defined here)',
        '        unwinds: [register-die-notifier]',
      ]),
    );
    // One mark per phase, hook, requirement and state entry, and none elsewhere.
    const { plugin } = result;
    const entries =
      plugin.modules.reduce((n, m) => n + m.phases.length, 0) +
      plugin.hooks.size +
      [...plugin.hooks.values()].reduce((n, h) => n + h.requires.length, 0) +
      plugin.state.size;
    expect(lines.filter((line) => /\S # derived: confirm, arch\/demom\/kvm\/\w+\.c:\d+/.test(line))).toHaveLength(entries);
    expect(entries).toBe(6 + 2 + 5 + 4);
  });

  it('names another schema path when asked (a plugin inside this repository)', async () => {
    const { yaml } = await scaffoldManifest(KernelTree.open(fixture('ordered')), {
      id: 'demo-mips-new',
      archDir: 'arch/demom/kvm',
      profiles: allProfiles(),
      schema: '../../core/schemas/plugin.schema.json',
    });
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=../../core/schemas/plugin.schema.json');
    expect(yaml.split('\n').slice(1)).toEqual(result.yaml.split('\n').slice(1));
  });

  it('gives byte-identical YAML for the same tree', async () => {
    const again = await scaffold(fixture('ordered'), 'arch/demom/kvm/', 'demo-mips-new');
    expect(again.yaml).toBe(result.yaml);
  });

  it('validates against the plugin schema and loads through readPluginManifest, declaring what was derived', () => {
    const file = writeManifest(result.yaml);
    const { base } = readPluginManifest(file);
    expect(base.id).toBe('demo-mips-new');
    expect(base.kernel).toBe('6.12');
    expect(phasesOf(base)).toEqual(phasesOf(result.plugin));
    expect(hooksOf(base)).toEqual(hooksOf(result.plugin));
    expect(stateOf(base)).toEqual(stateOf(result.plugin));
    // The reader does check: the same text with a kernel that is no version is refused.
    const broken = writeManifest(readFileSync(file, 'utf8').replace('kernel: "6.12"', 'kernel: six'));
    expect(() => readPluginManifest(broken)).toThrow(InputError);
  });

  it('round-trips: checking the tree with it gives no plugin-drift and the findings of the hand-written plugin', async () => {
    const file = writeManifest(result.yaml);
    const mine = await checkKernel(fixture('ordered'), { plugins: [file], archs: ['demo-mips-new'] });
    const theirs = await checkKernel(fixture('ordered'), { plugins: [fixturePlugin('ordered')], archs: ['demo-mips'] });
    expect(drift(mine, 'demo-mips-new')).toEqual([]);
    expect(nonDrift(mine, 'demo-mips-new')).toEqual(nonDrift(theirs, 'demo-mips'));
    expect(mine.findings.filter((f) => f.arch === 'demo-mips-new')).toEqual([]);
  });
});

describe('the late-percpu fixture (a VMX-like vendor module in a subdirectory, with work after kvm_init())', () => {
  let result: ScaffoldedManifest;
  beforeAll(async () => {
    result = await scaffold(fixture('late-percpu'), 'arch/demox/kvm/vmx', 'demo-vmx-new');
  });

  it('derives the goto ladder: what each step needs undone by, and which earlier steps each failure path undoes', () => {
    expect(phasesOf(result.plugin)).toEqual([
      'demo-cpu-has-vmx:demo_cpu_has_vmx canFail',
      'kvm-x86-vendor-init:kvm_x86_vendor_init canFail undo kvm_x86_vendor_exit initializes kvm_x86_ops,demo_vmxon_region',
      'demo-l1d-flush-setup:demo_l1d_flush_setup canFail undo demo_l1d_flush_teardown unwinds kvm-x86-vendor-init',
      'kvm-init:kvm_init canFail undo kvm_exit unwinds kvm-x86-vendor-init,demo-l1d-flush-setup',
      'init-list-head:INIT_LIST_HEAD initializes demo_loaded_vmcss',
      'demo-pi-init-cpu:demo_pi_init_cpu',
    ]);
  });

  it('resolves the hooks of the parent directory (arch/demox/kvm/x86.c) and what they read in the vendor module', () => {
    expect(hooksOf(result.plugin)).toEqual([
      'hardware-disable: kvm_arch_disable_virtualization_cpu requires demo_loaded_vmcss via demo_vmx_hardware_disable>demo_vmclear_loaded_vmcss',
      'hardware-enable: kvm_arch_enable_virtualization_cpu requires demo_vmxon_region via demo_vmx_hardware_enable',
      'virtualization-disable: kvm_arch_disable_virtualization requires kvm_x86_ops',
      'virtualization-enable: kvm_arch_enable_virtualization requires kvm_x86_ops',
    ]);
    expect(stateOf(result.plugin)).toEqual(['kvm_x86_ops global', 'demo_vmxon_region per-cpu', 'demo_loaded_vmcss per-cpu']);
  });

  it('round-trips: no plugin-drift, and the ordering bug is still found (the per-CPU list set up after kvm_init())', async () => {
    const file = writeManifest(result.yaml);
    const mine = await checkKernel(fixture('late-percpu'), { plugins: [file], archs: ['demo-vmx-new'] });
    const theirs = await checkKernel(fixture('late-percpu'), { plugins: [fixturePlugin('late-percpu')], archs: ['demo-vmx'] });
    expect(drift(mine, 'demo-vmx-new')).toEqual([]);
    expect(nonDrift(mine, 'demo-vmx-new')).toEqual([
      'hook-state-initialized <arch> error arch/demox/kvm/vmx/vmx.c:43:42',
      'kvm-init-last <arch> warning arch/demox/kvm/vmx/vmx.c:156:3',
    ]);
    expect(nonDrift(mine, 'demo-vmx-new')).toEqual(nonDrift(theirs, 'demo-vmx'));
  });
});

describe('the partly-read fixture', () => {
  it('passes on what tree-sitter could not read as a note, and writes what it could', async () => {
    const { plugin, notes } = await scaffold(fixture('partly-read'), 'arch/demoa/kvm');
    expect(notes[0]).toBe('arch/demoa/kvm/arm.c:59: tree-sitter could not parse part of demo_arm_init(); the analysis skips what it could not read there');
    expect(plugin.modules[0]!.phases.map((p) => p.id)).toEqual([
      'demo-has-virt',
      'scoped-guard',
      'demo-read-vmid-bits',
      'demo-init-vgic',
      'kvm-init',
      'assign-initialised',
    ]);
    expect(plugin.modules[0]!.phases.find((p) => p.id === 'demo-init-vgic')?.undo).toBe('demo_teardown_vgic');
  });
});

describe('bad input: one clear message naming the directory', () => {
  it('a directory the tree does not have', async () => {
    await expect(scaffold(fixture('ordered'), 'arch/nope/kvm')).rejects.toThrow(
      new InputError(`--arch-dir: arch/nope/kvm is not a directory of the kernel tree at ${fixture('ordered')}`),
    );
  });

  it('a path outside the tree', async () => {
    await expect(scaffold(fixture('ordered'), '../ordered/arch/demom/kvm')).rejects.toThrow(
      /^--arch-dir: \.\.\/ordered\/arch\/demom\/kvm must be a directory inside the kernel tree/,
    );
    await expect(scaffold(fixture('ordered'), '/arch/demom/kvm')).rejects.toThrow(InputError);
  });

  it('a directory without module_init(), naming the subdirectory that has one', async () => {
    await expect(scaffold(fixture('late-percpu'), 'arch/demox/kvm')).rejects.toThrow(
      new InputError('--arch-dir: no .c file in arch/demox/kvm has a module_init(); arch/demox/kvm/vmx does: give that directory'),
    );
  });

  it('a module_init() that never calls kvm_init() is not a KVM module: left out with a note, an error when it is the only one', async () => {
    const main = 'int kvm_init(unsigned size, unsigned align, void *m)\n{\n\treturn 0;\n}\n';
    const helper = 'static int __init demo_helper_init(void)\n{\n\tdemo_setup();\n\treturn 0;\n}\nmodule_init(demo_helper_init);\n';
    const kvm = 'static int __init demo_kvm_init(void)\n{\n\treturn kvm_init(0, 0, THIS_MODULE);\n}\nmodule_init(demo_kvm_init);\n';
    const both = treeWith({ 'virt/kvm/kvm_main.c': main, 'arch/demo/kvm/helper.c': helper, 'arch/demo/kvm/main.c': kvm });
    const { plugin, notes } = await scaffold(both, 'arch/demo/kvm');
    expect(plugin.modules.map((m) => m.init)).toEqual(['demo_kvm_init']);
    expect(notes).toContain(
      'arch/demo/kvm/helper.c:1: module_init(demo_helper_init) does not call kvm_init() on its success path: not a KVM module init, left out',
    );
    const alone = treeWith({ 'virt/kvm/kvm_main.c': main, 'arch/demo/kvm/helper.c': helper });
    await expect(scaffold(alone, 'arch/demo/kvm')).rejects.toThrow(
      new InputError('--arch-dir: no module init in arch/demo/kvm calls kvm_init() (demo_helper_init() in arch/demo/kvm/helper.c)'),
    );
  });

  it('an id the schema would refuse', async () => {
    await expect(scaffold(fixture('ordered'), 'arch/demom/kvm', 'Demo MIPS')).rejects.toThrow(InputError);
  });
});

/** The arch directories of Linux 6.12 that round-trip, each with the built-in plugin it is compared with. */
const ROUND_TRIPS = [
  { arch: 'loongarch', dir: 'arch/loongarch/kvm' },
  { arch: 'mips', dir: 'arch/mips/kvm' },
  { arch: 'riscv', dir: 'arch/riscv/kvm' },
  { arch: 'x86-vmx', dir: 'arch/x86/kvm/vmx' },
  { arch: 'x86-svm', dir: 'arch/x86/kvm/svm' },
  { arch: 'arm64', dir: 'arch/arm64/kvm' },
  { arch: 's390', dir: 'arch/s390/kvm' },
];
/** Powerpc round-trips but for one finding (see its test). */
const POWERPC = { arch: 'powerpc', dir: 'arch/powerpc/kvm' };

describe('Linux 6.12: a scaffolded plugin round-trips', () => {
  let linux612 = '';
  const results = new Map<string, { scaffolded: ScaffoldedManifest; mine: CheckRun; builtin: CheckRun }>();

  beforeAll(async () => {
    linux612 = fetchKernel('6.12');
    for (const { arch, dir } of [...ROUND_TRIPS, POWERPC]) {
      const scaffolded = await scaffold(linux612, dir, `${arch}-demo`);
      const file = writeManifest(scaffolded.yaml);
      const mine = await checkKernel(linux612, { plugins: [file], archs: [`${arch}-demo`] });
      const builtin = await checkKernel(linux612, { archs: [arch] });
      results.set(arch, { scaffolded, mine, builtin });
    }
  }, 600_000);

  /** The round trip of `arch`, made before all tests. */
  const resultOf = (arch: string) => {
    const result = results.get(arch);
    assert(result, `no round trip of ${arch}`);
    return result;
  };

  it('loongarch: kvm_loongarch_env_init() undone by kvm_loongarch_env_exit() when kvm_init() fails, the two virtualization hooks', () => {
    const { plugin, yaml } = resultOf('loongarch').scaffolded;
    expect(phasesOf(plugin)).toEqual([
      'env-init:kvm_loongarch_env_init canFail undo kvm_loongarch_env_exit initializes vmcs',
      'kvm-init:kvm_init canFail undo kvm_exit unwinds env-init',
    ]);
    expect(hooksOf(plugin)).toEqual([
      'hardware-disable: kvm_arch_disable_virtualization_cpu',
      'hardware-enable: kvm_arch_enable_virtualization_cpu requires vmcs',
    ]);
    expect(stateOf(plugin)).toEqual(['vmcs per-cpu', 'kvm_loongarch_ops global']);
    expect(yaml.split('\n')[0]).toBe(SCHEMA_LINE);
    expect(yaml).toMatch(/^# Derived from Linux 6\.12\.\d+ arch\/loongarch\/kvm by kvm-rules/m);
    expect(yaml).toMatch(/^ {6}- id: env-init # derived: confirm, arch\/loongarch\/kvm\/main\.c:\d+$/m);
  });

  it('every manifest loads through readPluginManifest', () => {
    for (const { arch } of ROUND_TRIPS) {
      const { scaffolded } = resultOf(arch);
      const { base } = readPluginManifest(writeManifest(scaffolded.yaml));
      expect(base.id, arch).toBe(`${arch}-demo`);
      expect(phasesOf(base), arch).toEqual(phasesOf(scaffolded.plugin));
      expect(hooksOf(base), arch).toEqual(hooksOf(scaffolded.plugin));
    }
  });

  it('the comparison can fail: the loongarch manifest without its hardware-enable hook drifts', async () => {
    const { yaml } = resultOf('loongarch').scaffolded;
    const withoutHook = yaml.replace(/^ {2}hardware-enable:\n(?: {4}.*\n)+/m, '');
    expect(withoutHook).not.toContain('hardware-enable');
    const run = await checkKernel(linux612, { plugins: [writeManifest(withoutHook)], archs: ['loongarch-demo'] });
    expect(run.findings.filter((f) => f.ruleId === 'plugin-drift').map((f) => f.message)).toEqual([
      expect.stringMatching(/^the tree implements the hardware-enable hook as kvm_arch_enable_virtualization_cpu\(\)/),
    ]);
  });

  it.each(ROUND_TRIPS.map((r) => r.arch))('%s: no plugin-drift, and the findings of the built-in plugin', (arch) => {
    const { mine, builtin } = resultOf(arch);
    expect(mine.analysis.plugins[0]!.source?.declared?.id).toBe(`${arch}-demo`);
    expect(drift(mine, `${arch}-demo`)).toEqual([]);
    expect(nonDrift(mine, `${arch}-demo`)).toEqual(nonDrift(builtin, arch));
  });

  it('powerpc: no plugin-drift, and the findings of the built-in plugin, the e500 unwinding error included (its undo read from module_exit())', () => {
    const { scaffolded, mine, builtin } = resultOf('powerpc');
    expect(scaffolded.plugin.modules.map((m) => m.init)).toEqual(['kvmppc_book3s_init', 'kvmppc_e500_init', 'kvmppc_e500mc_init']);
    expect(scaffolded.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^arch\/powerpc\/kvm\/book3s_hv\.c:\d+: module_init\(kvmppc_book3s_init_hv\) does not call kvm_init\(\)/),
        expect.stringMatching(/^arch\/powerpc\/kvm\/book3s_pr\.c:\d+: module_init\(kvmppc_book3s_init_pr\) does not call kvm_init\(\)/),
      ]),
    );
    expect(drift(mine, 'powerpc-demo')).toEqual([]);
    // kvmppc_booke_init() allocates the handlers and nothing frees them when kvm_init() fails:
    // kvmppc_e500_exit() frees them through kvmppc_booke_exit(), and that is what says so.
    expect(nonDrift(mine, 'powerpc-demo')).toEqual(nonDrift(builtin, 'powerpc'));
    expect(nonDrift(mine, 'powerpc-demo')).toContainEqual(expect.stringMatching(/^unwind-on-failure <arch> error arch\/powerpc\/kvm\/e500\.c:\d+:\d+$/));
  });
});
