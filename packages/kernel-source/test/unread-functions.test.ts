// Functions the analysis cannot read whole: a brace that does not match ends tree-sitter's
// reading early, with no parse error inside the body; brackets nested deeper than the analysis
// follows are not read at all. Never a silent pass, never an internal error: in kvm_init() or a
// module init it is an error, in a function they call a warning.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brief, checkKernel, copyFixture, runCli } from './helpers.js';

/** The late-percpu fixture with one edit: `from` must occur once. */
function edited(file: string, from: string, to: string): string {
  const dir = copyFixture('late-percpu');
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text.split(from).length).toBe(2);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

const late = (dir: string) => checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });

describe('a function cut short by a missing `{`', () => {
  it('in kvm_init(): a source-unreadable error where the reading ends, never a clean pass', async () => {
    // Without the `{`, the `}` after goto closes kvm_init()'s body: the labels below are never read.
    const dir = edited(
      'virt/kvm/kvm_main.c',
      '\tif (r) {\n\t\tpr_err("kvm: misc device register failed\\n");',
      '\tif (r)\n\t\tpr_err("kvm: misc device register failed\\n");',
    );
    const { findings } = await late(dir);
    const cut = findings.filter((f) => f.message.startsWith("tree-sitter's reading of kvm_init() ends here"));
    expect(cut.map(brief)).toEqual(['source-unreadable generic error virt/kvm/kvm_main.c:162:2']);
    expect(cut[0]!.message).toContain('the rest of kvm_init() is not analyzed, so findings that rest on it may be missing');
    const { status } = runCli(
      'check',
      '--kernel',
      dir,
      '--plugin',
      join(dir, 'plugin.yaml'),
      '--arch',
      'demo-vmx',
      '--rule',
      'hook-state-initialized:off',
      '--rule',
      'kvm-init-last:off',
    );
    expect(status).toBe(1);
  });

  it('in a function the hooks call: a source-partly-read warning at the same kind of place', async () => {
    const dir = edited('arch/demox/kvm/vmx/vmx.c', '\tfor_each_possible_cpu(cpu) {\n\t\tdemo_free_vmcs(', '\tfor_each_possible_cpu(cpu)\n\t\tdemo_free_vmcs(');
    const { findings } = await late(dir);
    const cut = findings.filter((f) => f.message.startsWith("tree-sitter's reading of demo_free_vmxon_regions() ends here"));
    expect(cut.map((f) => `${f.ruleId} ${f.severity} ${f.location?.file}`)).toEqual(['source-partly-read warning arch/demox/kvm/vmx/vmx.c']);
  });
});

describe('nesting deeper than the analysis follows', () => {
  const ifs = (n: number) => `${'\tif (demo_cpu_has_vmx()) {\n'.repeat(n)}\t\tcpu = 1;\n${'\t}\n'.repeat(n)}`;

  it('1,500 nested `if` in the module init: one source-unreadable error where it is given up, no internal error, no false integrity error', async () => {
    const dir = edited(
      'arch/demox/kvm/vmx/vmx.c',
      'static int __init demo_vmx_init(void)\n{\n\tint r, cpu;\n',
      `static int __init demo_vmx_init(void)\n{\n\tint r, cpu;\n${ifs(1500)}`,
    );
    const { findings } = await late(dir);
    const own = findings.filter((f) => f.arch === 'demo-vmx');
    expect(own.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['source-unreadable error']);
    expect(own[0]!.message).toBe(
      'demo_vmx_init() nests brackets deeper than 200 levels here; kvm-rules does not read that deep, so demo_vmx_init() is not analyzed and findings that rest on it may be missing',
    );
    const { status, stderr } = runCli('check', '--kernel', dir, '--plugin', join(dir, 'plugin.yaml'), '--arch', 'demo-vmx');
    expect(stderr).toBe('');
    expect(status).toBe(1);
  });

  it('5,000 nested parentheses in a function the hooks call: a source-partly-read warning, the module init still read', async () => {
    const deep = `${'('.repeat(5000)}0${')'.repeat(5000)}`;
    const dir = edited('arch/demox/kvm/vmx/vmx.c', '\tif (demo_vmxoff())\n', `\tif (demo_vmxoff() + ${deep})\n`);
    const { findings } = await late(dir);
    expect(findings.filter((f) => f.message.startsWith('demo_vmx_hardware_disable() nests brackets')).map((f) => `${f.ruleId} ${f.severity}`)).toEqual([
      'source-partly-read warning',
    ]);
    expect(findings.some((f) => f.ruleId === 'kvm-init-last' && f.arch === 'demo-vmx')).toBe(true);
  });

  it('190 nested `if` are read as any other code', async () => {
    const dir = edited(
      'arch/demox/kvm/vmx/vmx.c',
      'static int __init demo_vmx_init(void)\n{\n\tint r, cpu;\n',
      `static int __init demo_vmx_init(void)\n{\n\tint r, cpu;\n${ifs(190)}`,
    );
    const { findings } = await late(dir);
    expect(findings.filter((f) => f.ruleId.startsWith('source-'))).toEqual([]);
  });
});

describe('a hook the plugin declares that the tree no longer defines', () => {
  const disableCpu = 'void kvm_arch_disable_virtualization_cpu(void)\n{\n\tkvm_x86_call(hardware_disable)();\n\tdemox_drop_user_return_msrs();\n}\n';

  it('x86.c cut down to its first line: a source-unreadable error per vanished hook, never a pass', async () => {
    const dir = copyFixture('late-percpu');
    const path = join(dir, 'arch/demox/kvm/x86.c');
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 27));
    const { findings } = await late(dir);
    const gone = findings.filter((f) => f.ruleId === 'source-unreadable');
    expect(gone.map(brief)).toEqual([
      'source-unreadable demo-vmx error arch/demox/kvm/vmx/vmx.c:27:1',
      'source-unreadable demo-vmx error arch/demox/kvm/vmx/vmx.c:48:1',
    ]);
    expect(gone[1]!.message).toBe(
      'kvm_arch_disable_virtualization_cpu(), which generic KVM code calls with no __weak default (virt/kvm/kvm_main.c:92), is defined nowhere in arch/demox/kvm/: cannot analyze the hardware-disable hook that demo-vmx declares as demo_vmx_hardware_disable()',
    );
  });

  it('defined as a static inline in the arch kvm_host.h (s390 and powerpc in 6.1): no finding', async () => {
    const dir = edited('arch/demox/kvm/x86.c', disableCpu, '');
    mkdirSync(join(dir, 'arch/demox/include/asm'), { recursive: true });
    writeFileSync(
      join(dir, 'arch/demox/include/asm/kvm_host.h'),
      'void kvm_arch_disable_virtualization_cpu(void);\nstatic inline void kvm_arch_disable_virtualization_cpu(void) {}\n',
    );
    const { findings } = await late(dir);
    expect(findings.filter((f) => f.ruleId.startsWith('source-'))).toEqual([]);
  });

  it('only declared there, not defined: still the error', async () => {
    const dir = edited('arch/demox/kvm/x86.c', disableCpu, '');
    mkdirSync(join(dir, 'arch/demox/include/asm'), { recursive: true });
    writeFileSync(join(dir, 'arch/demox/include/asm/kvm_host.h'), 'static inline void kvm_arch_disable_virtualization_cpu(void);\n');
    const { findings } = await late(dir);
    expect(findings.filter((f) => f.ruleId.startsWith('source-')).map(brief)).toEqual(['source-unreadable demo-vmx error arch/demox/kvm/vmx/vmx.c:48:1']);
  });
});

describe('a file that ends inside a function', () => {
  it('x86.c without its last closing brace: a source-partly-read warning for the hook it cuts', async () => {
    const dir = copyFixture('late-percpu');
    const path = join(dir, 'arch/demox/kvm/x86.c');
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('();\n}\n')).toBe(true);
    writeFileSync(path, text.slice(0, -3));
    const { findings } = await late(dir);
    const cut = findings.filter((f) => f.ruleId.startsWith('source-'));
    expect(cut.map((f) => `${f.ruleId} ${f.arch} ${f.severity} ${f.location?.file}`)).toEqual(['source-partly-read demo-vmx warning arch/demox/kvm/x86.c']);
    expect(cut[0]!.message).toBe(
      'arch/demox/kvm/x86.c ends inside kvm_arch_disable_virtualization_cpu(), before its closing brace (a truncated file?): what kvm_arch_disable_virtualization_cpu() does past the end of the file is unknown, so findings that rest on it may be missing',
    );
  });
});
