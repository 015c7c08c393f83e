// `kvm-rules check` where a kernel developer stands: inside a Linux tree (any directory of it)
// it reads that tree, as `check DIR` and `--kernel DIR` do; outside one it says on its first line
// that it checks the bundled declarations. What a run wrote to a file is said on stderr.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';

const bin = join(import.meta.dirname, '../bin/kvm-rules.js');
let tree = '';

function kvmRules(cwd: string, ...args: string[]) {
  const { status, stdout, stderr } = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status, stdout, stderr };
}

/** The seed's bug back in vmx_init(): the per-CPU loaded-VMCS lists set up after kvm_init() has exposed /dev/kvm. */
function reintroduceSeedBug(file: string): void {
  const text = readFileSync(file, 'utf8');
  const loop = '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n';
  const kvmInit = '\tif (r)\n\t\tgoto err_kvm_init;\n';
  if (!text.includes(loop) || !text.includes(kvmInit)) throw new Error(`${file} is not the vmx_init() this test knows`);
  writeFileSync(
    file,
    text
      .replace(loop, '\tfor_each_possible_cpu(cpu)\n\t\tpi_init_cpu(cpu);\n')
      .replace(kvmInit, `${kvmInit}\n\tfor_each_possible_cpu(cpu)\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n`),
  );
}

const errorsOf = (stdout: string) =>
  (JSON.parse(stdout) as { findings: { ruleId: string; arch: string; severity: string; location?: { file: string } }[] }).findings
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId} ${f.arch} ${f.location?.file}`);

beforeAll(() => {
  tree = join(mkdtempSync(join(tmpdir(), 'kvm-rules-stand-')), 'linux');
  cpSync(fetchKernel('6.12'), tree, { recursive: true });
}, 300_000);

describe('kvm-rules check inside a Linux tree', () => {
  it('from a subdirectory of the tree, with the seed bug back in the working tree: the error is reported', () => {
    const clean = kvmRules(join(tree, 'arch/x86/kvm'), 'check', '--format', 'json');
    expect(clean.status).toBe(1);
    expect(errorsOf(clean.stdout)).not.toContain('hook-state-initialized x86-vmx arch/x86/kvm/vmx/vmx.c');
    reintroduceSeedBug(join(tree, 'arch/x86/kvm/vmx/vmx.c'));
    const buggy = kvmRules(join(tree, 'arch/x86/kvm'), 'check', '--format', 'json');
    expect(buggy.status).toBe(1);
    expect(errorsOf(buggy.stdout)).toContain('hook-state-initialized x86-vmx arch/x86/kvm/vmx/vmx.c');
    expect((JSON.parse(buggy.stdout) as { kernel: { root: string } }).kernel.root).toBe(tree);
  });

  it('check DIR is --kernel DIR; two different trees are refused', () => {
    const outside = mkdtempSync(join(tmpdir(), 'kvm-rules-outside-'));
    const positional = kvmRules(outside, 'check', tree, '--format', 'json');
    const flag = kvmRules(outside, 'check', '--kernel', tree, '--format', 'json');
    expect(positional.stdout).toBe(flag.stdout);
    expect(positional.status).toBe(flag.status);
    const two = kvmRules(outside, 'check', tree, '--kernel', outside);
    expect(two.status).toBe(2);
    expect(two.stderr).toBe(`kvm-rules: check: two kernel trees given, ${tree} and --kernel ${outside}; give one\n`);
  });
});

describe('kvm-rules deps where a kernel developer stands', () => {
  it('inside the tree it reads that tree, deps DIR is --kernel DIR, and outside one it says what to give', () => {
    const here = kvmRules(join(tree, 'virt/kvm'), 'deps', '--arch', 'riscv');
    expect(here.status).toBe(0);
    expect(here.stdout).toContain('riscv_kvm_init');
    const outside = mkdtempSync(join(tmpdir(), 'kvm-rules-outside-'));
    expect(kvmRules(outside, 'deps', tree, '--arch', 'riscv').stdout).toBe(here.stdout);
    const none = kvmRules(outside, 'deps');
    expect(none.status).toBe(2);
    expect(none.stderr).toBe('kvm-rules: deps: no kernel tree here (run inside a Linux tree, or give one: kvm-rules deps DIR)\n');
  });
});

describe('kvm-rules check outside any tree', () => {
  it('says on its first lines that it checks the bundled declarations', () => {
    const outside = mkdtempSync(join(tmpdir(), 'kvm-rules-outside-'));
    const { stdout } = kvmRules(outside, 'check');
    expect(stdout.split('\n').slice(0, 2)).toEqual([
      'no kernel tree here: checking the bundled declarations of v6.12',
      '(run inside a Linux tree, or give one: kvm-rules check DIR)',
    ]);
    // Machine formats stay as they are.
    expect(JSON.parse(kvmRules(outside, 'check', '--format', 'json').stdout)).toHaveProperty('findings');
  });
});

describe('what a run wrote, said on stderr', () => {
  it('-o FILE: one summary line; --write-baseline FILE: how many findings it wrote', () => {
    const outside = mkdtempSync(join(tmpdir(), 'kvm-rules-outside-'));
    const report = kvmRules(outside, 'check', tree, '-o', 'report.txt');
    expect(report.stdout).toBe('');
    expect(report.stderr).toMatch(/^kvm-rules: wrote the stylish report to report\.txt: \d+ problems \(\d+ errors, \d+ warnings\), exit 1\n$/);
    expect(readFileSync(join(outside, 'report.txt'), 'utf8')).toContain('hook-state-initialized');
    const baseline = kvmRules(outside, 'check', tree, '--write-baseline', 'known.json');
    const written = (JSON.parse(readFileSync(join(outside, 'known.json'), 'utf8')) as { findings: unknown[] }).findings.length;
    expect(baseline.stderr).toBe(
      `kvm-rules: wrote ${written} findings to the baseline known.json; runs with --baseline known.json report only findings it does not know\n`,
    );
  });
});
