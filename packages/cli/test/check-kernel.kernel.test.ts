// check --kernel and deps on the real 6.12 and 6.1 trees (fetched by scripts/kernels.mjs when
// missing; a tree that cannot be had fails these tests, it never skips them).
import { cpSync, mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { main } from '../src/cli.js';
import { checkJson, run } from './run.js';

const check = checkJson;

let linux612 = '';
let linux61 = '';

beforeAll(() => {
  linux612 = fetchKernel('6.12');
  linux61 = fetchKernel('6.1');
}, 300_000);

describe('check --kernel', () => {
  it("6.12: analyzes all eight archs with the tree's own ordering; every finding has a kernel file:line", async () => {
    const { code, result } = await check('--kernel', linux612);
    expect([0, 1]).toContain(code);
    expect(result.archs).toEqual(['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390', 'loongarch']);
    expect(result.profile).toMatch(/^kernel-6\.12\.\d+$/);
    expect(result.kernel?.version).toMatch(/^6\.12\./);
    for (const finding of result.findings) {
      expect(finding.location?.file, finding.message).toMatch(/^(arch|virt)\//);
      expect(finding.location?.line).toBeGreaterThan(0);
    }
  });

  it('6.12: powerpc book3s registers device ops after kvm_init()', async () => {
    const { result } = await check('--kernel', linux612, '--arch', 'powerpc');
    const late = result.findings.find((f) => f.ruleId === 'kvm-init-last' && f.message.startsWith('kvmppc_book3s_init()'));
    expect(late?.message).toContain('kvm_register_device_ops');
    expect(late?.location?.file).toBe('arch/powerpc/kvm/book3s.c');
  });

  it('6.12: Book3S (tristate) is a module userspace can reach after kvm_init(); e500 and e500mc (bool) are built in, their late ops not reported, and the JSON says which on what Kconfig line', async () => {
    const { result } = await check('--kernel', linux612, '--arch', 'powerpc');
    const late = result.findings.filter((f) => f.ruleId === 'kvm-init-last').map((f) => f.message.split('(')[0]);
    expect(late).toEqual(['kvmppc_book3s_init']);
    const modules = result.kernel?.modules ?? [];
    expect(
      modules.map(({ init, kconfig }) =>
        kconfig ? `${init} ${kconfig.symbol} ${kconfig.loadable ? 'loadable' : 'built in'} ${kconfig.location.file}` : `${init} (no kconfig)`,
      ),
    ).toEqual([
      'kvmppc_book3s_init CONFIG_KVM_BOOK3S_64 loadable arch/powerpc/kvm/Kconfig',
      'kvmppc_e500_init CONFIG_KVM_E500V2 built in arch/powerpc/kvm/Kconfig',
      'kvmppc_e500mc_init CONFIG_KVM_E500MC built in arch/powerpc/kvm/Kconfig',
    ]);
    // Asked for, they say why they are unreachable by userspace, with the Kconfig place.
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-builtin-'));
    const config = join(dir, 'kvm-rules.config.yaml');
    writeFileSync(config, 'rules:\n  kvm-init-last:\n    options: { builtInUserspace: warning }\n');
    const asked = await check('--kernel', linux612, '--arch', 'powerpc', '--config', config);
    const e500 = asked.result.findings.find((f) => f.ruleId === 'kvm-init-last' && f.message.startsWith('kvmppc_e500_init()'));
    assert(e500, 'a kvm-init-last finding about kvmppc_e500_init()');
    expect(e500.message).toContain(
      'only userspace could, and CONFIG_KVM_E500V2 is built in (`bool "KVM support for PowerPC E500v2 processors"`), so no userspace exists while its init runs',
    );
    expect(e500.related?.at(-1)?.location.file).toBe('arch/powerpc/kvm/Kconfig');
  });

  it('6.1 with the v6.12 ordering: mips does work after kvm_init(); on 6.12 mips is clean', async () => {
    const old = await check('--kernel', linux61, '--profile', 'v6.12', '--arch', 'mips');
    const late = old.result.findings.find((f) => f.ruleId === 'kvm-init-last');
    expect(late?.message).toContain('"register_die_notifier"');
    expect(late?.location).toMatchObject({ file: 'arch/mips/kvm/mips.c' });
    const now = await check('--kernel', linux612, '--arch', 'mips');
    expect(now.result.findings.filter((f) => ['kvm-init-last', 'hook-state-initialized'].includes(f.ruleId))).toEqual([]);
  });

  it('output is byte-identical run to run', async () => {
    const first = await run('check', '--kernel', linux612, '--arch', 'x86-vmx', '--arch', 'powerpc');
    const second = await run('check', '--kernel', linux612, '--arch', 'x86-vmx', '--arch', 'powerpc');
    expect(second.stdout).toBe(first.stdout);
  });

  it('what a run keeps of the C files changes no output: nothing kept, a first run, a second run', { timeout: 120_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'kvm-rules-kept-'));
    vi.stubEnv('XDG_CACHE_HOME', home);
    for (const tree of [linux612, linux61]) {
      const outputs = async () => [
        (await run('check', '--kernel', tree, '--format', 'json')).stdout,
        (await run('deps', '--kernel', tree, '--format', 'json')).stdout,
      ];
      vi.stubEnv('KVM_RULES_PARSE_CACHE', '0');
      const nothingKept = await outputs();
      vi.stubEnv('KVM_RULES_PARSE_CACHE', undefined);
      expect(await outputs()).toEqual(nothingKept);
      expect(await outputs()).toEqual(nothingKept);
    }
    expect(readdirSync(join(home, 'kvm-rules'))).toContain('c-files-v1');
  });
});

/**
 * What each tree says, finding by finding, without a line number: severity, rule, arch, file and
 * the function the message starts with. Debian's next point release may move lines freely; when
 * it changes a finding, the test fails with one line that says so.
 */
const SAYS: Record<string, string[]> = {
  '6.12': [
    'warning kvm-init-last arm64 arch/arm64/kvm/arm.c kvm_arm_init',
    'error unwind-on-failure generic virt/kvm/kvm_main.c kvm_init',
    'warning kvm-init-last powerpc arch/powerpc/kvm/book3s.c kvmppc_book3s_init',
    'warning source-partly-read powerpc arch/powerpc/kvm/book3s.c -',
    'error unwind-on-failure powerpc arch/powerpc/kvm/book3s.c kvmppc_book3s_init',
    'error unwind-on-failure powerpc arch/powerpc/kvm/e500.c kvmppc_e500_init',
    'error unwind-on-failure riscv arch/riscv/kvm/main.c riscv_kvm_init',
  ],
  '6.1': [
    'error unwind-on-failure arm64 arch/arm64/kvm/arm.c kvm_arch_init',
    'error unwind-on-failure arm64 arch/arm64/kvm/arm.c kvm_arch_init',
    'error unwind-on-failure generic virt/kvm/kvm_main.c kvm_init',
    'error unwind-on-failure generic virt/kvm/kvm_main.c kvm_init',
    'warning kvm-init-last mips arch/mips/kvm/mips.c kvm_mips_init',
    'warning kvm-init-last powerpc arch/powerpc/kvm/book3s.c kvmppc_book3s_init',
    'warning source-partly-read powerpc arch/powerpc/kvm/book3s.c -',
    'error unwind-on-failure powerpc arch/powerpc/kvm/book3s.c kvmppc_book3s_init',
    'error unwind-on-failure powerpc arch/powerpc/kvm/e500.c kvmppc_e500_init',
    'error read-before-settled x86-vmx arch/x86/kvm/vmx/vmx.c vmx_init',
    'error read-before-settled x86-vmx arch/x86/kvm/vmx/vmx.c vmx_init',
  ],
};

/** The one line a changed point release gets: which findings came and went. */
function changedFindings(version: string, release: string, now: string[]): string | undefined {
  const left = [...now];
  const gone = SAYS[version]!.filter((line) => {
    const i = left.indexOf(line);
    if (i === -1) return true;
    left.splice(i, 1);
    return false;
  });
  if (gone.length === 0 && left.length === 0) return undefined;
  return `Debian's linux-source-${version} (now ${release}) changed the findings: new [${left.join('; ')}], gone [${gone.join('; ')}]`;
}

describe('what each tree says, line numbers aside', () => {
  it.each(['6.12', '6.1'])('%s: the findings of the tree, by severity, rule, arch, file and function', async (version) => {
    const { result } = await check('--kernel', version === '6.12' ? linux612 : linux61);
    const now = result.findings.map((f) => `${f.severity} ${f.ruleId} ${f.arch} ${f.location?.file} ${/^(\w+)\(\)/.exec(f.message)?.[1] ?? '-'}`);
    assert(result.kernel, 'a check of a tree says which');
    expect(changedFindings(version, result.kernel.version, now)).toBeUndefined();
  });

  it('a changed finding is said in one line', () => {
    const now = [...SAYS['6.12']!.slice(1), 'error hook-state-initialized x86-vmx arch/x86/kvm/vmx/vmx.c vmx_init'];
    expect(changedFindings('6.12', '6.12.999', now)).toBe(
      "Debian's linux-source-6.12 (now 6.12.999) changed the findings: new [error hook-state-initialized x86-vmx arch/x86/kvm/vmx/vmx.c vmx_init], gone [warning kvm-init-last arm64 arch/arm64/kvm/arm.c kvm_arm_init]",
    );
  });
});

describe('progress', () => {
  it('on a terminal, reading the tree shows progress on stderr, cleared at the end; in a pipe, nothing', async () => {
    let stderr = '';
    const code = await main(['check', '--kernel', linux612, '--arch', 'mips', '--format', 'json'], {
      stdout: () => {
        // The report is not what this test reads.
      },
      stderr: (t) => (stderr += t),
      color: false,
      progress: true,
    });
    expect([0, 1]).toContain(code);
    expect(stderr).toContain('\r\x1b[Kkvm-rules: reading Linux 6.12');
    // Every arch is read under --arch (generic findings are judged across all of them); mips is the third.
    expect(stderr).toContain('mips (3/8)');
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    const piped = await run('check', '--kernel', linux612, '--arch', 'mips', '--format', 'json');
    expect(piped.stderr).toBe('');
  });

  it('deps shows the same progress on a terminal, and none in a pipe', async () => {
    let stderr = '';
    let stdout = '';
    const code = await main(['deps', '--kernel', linux612, '--arch', 'mips'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      color: false,
      progress: true,
    });
    expect(code).toBe(0);
    // deps reads only the archs it reports.
    expect(stderr).toMatch(/\r\x1b\[Kkvm-rules: reading Linux 6\.12\.\d+: mips \(1\/1\)/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(stdout).not.toContain('\x1b');
    const piped = await run('deps', '--kernel', linux612, '--arch', 'mips');
    expect(piped.stderr).toBe('');
  });
});

describe('deps --kernel', () => {
  it('6.12 x86-vmx: the hardware-disable hook reaches loaded_vmcss_on_cpu through vmclear_local_loaded_vmcss', async () => {
    const { code, stdout } = await run('deps', '--kernel', linux612, '--arch', 'x86-vmx');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /hardware-disable hook kvm_arch_disable_virtualization_cpu\(\)[^\n]*\n(?: {6}reads [^\n]*\n)*? {6}reads loaded_vmcss_on_cpu via kvm_arch_disable_virtualization_cpu\(\) → vmx_disable_virtualization_cpu\(\) → vmclear_local_loaded_vmcss\(\)/,
    );
    expect(stdout).toMatch(/INIT_LIST_HEAD\(\) {2}\[loop\]\n {8}writes loaded_vmcss_on_cpu/);
    // Unwind blocks are the failure path, not init work.
    expect(stdout).not.toMatch(/^ {4}\S+ {2}__vmx_exit\(\)/m);
    expect(stdout).toMatch(/ failure path: __vmx_exit\(\) at arch\/x86\/kvm\/vmx\/vmx\.c:\d+:\d+, kvm_x86_vendor_exit\(\) at /);
    expect(stdout).toMatch(/kvm_x86_vendor_init\(\)  \[can fail\]\n {8}sets up .*; undo: kvm_x86_vendor_exit\(\) \(exit: module_exit\(vmx_exit\) undoes it/);
  });
});

describe('bad kernel input: exit 2 and one clear line', () => {
  it('a directory that is not a kernel tree', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-not-a-tree-'));
    mkdirSync(join(dir, 'arch'));
    writeFileSync(join(dir, 'Makefile'), 'all:\n');
    const { code, stderr, stdout } = await run('check', '--kernel', dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`kvm-rules: --kernel: ${dir} is not a Linux kernel tree (missing virt/kvm/kvm_main.c)\n`);
  });

  it('an arch asked for by name that the kernel does not have', async () => {
    const { code, stderr } = await run('check', '--kernel', linux61, '--arch', 'loongarch');
    expect(code).toBe(2);
    expect(stderr).toBe('kvm-rules: --arch: loongarch is not in Linux 6.1: its plugin describes Linux 6.12\n');
  });

  it('a file given as the kernel tree, and a variant of another kernel version than the tree', async () => {
    const file = await run('check', '--kernel', 'package.json');
    expect(file.code).toBe(2);
    expect(file.stderr).toBe('kvm-rules: --kernel: package.json is a file, not a kernel tree directory\n');
    const variant = await run('check', '--kernel', linux612, '--variant', 'tdx-v7');
    expect(variant.code).toBe(2);
    expect(variant.stderr).toBe("kvm-rules: --variant: x86-vmx's tdx-v7 describes Linux 5.19; the tree is Linux 6.12\n");
  });

  it('deps exits 1 when an arch cannot be read, and names the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-no-arch-'));
    cpSync(join(linux612, 'Makefile'), join(dir, 'Makefile'));
    cpSync(join(linux612, 'virt'), join(dir, 'virt'), { recursive: true });
    mkdirSync(join(dir, 'arch'));
    const { code, stdout } = await run('deps', '--kernel', dir, '--arch', 'riscv');
    expect(code).toBe(1);
    expect(stdout).toContain('error: arch/riscv/kvm/main.c is not in the tree: cannot analyze riscv_kvm_init()');
  });

  it('a path that does not exist', async () => {
    const { code, stderr } = await run('deps', '--kernel', '/nonexistent/linux');
    expect(code).toBe(2);
    expect(stderr).toBe('kvm-rules: --kernel: no such directory: /nonexistent/linux\n');
  });
});
