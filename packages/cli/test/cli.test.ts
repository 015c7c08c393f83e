import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/formatters/index.js';
import { run } from './run.js';

async function json(...argv: string[]): Promise<{ code: number; result: CheckResult }> {
  const { code, stdout } = await run('check', '--format', 'json', ...argv);
  return { code, result: JSON.parse(stdout) as CheckResult };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvm-rules-cli-'));
}

const ARCHS = ['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390'];

describe('check: the seed review', () => {
  it('v5.19 exits 0 with no errors', async () => {
    const { code, result } = await json('--profile', 'v5.19');
    expect(code).toBe(0);
    expect(result.archs).toEqual(ARCHS);
    expect(result.summary.errors).toBe(0);
  });

  it('tdx-v7 exits 1 and tells the story of the review', async () => {
    const { code, result } = await json('--profile', 'tdx-v7');
    expect(code).toBe(1);
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.arch, f.ruleId])).toEqual([['x86-vmx', 'hook-state-initialized']]);
    expect(errors[0]!.message).toMatch(/^hardware-disable hook vmx_hardware_disable\(\).*reads loaded_vmcss_on_cpu/);
    const mips = result.findings.filter((f) => f.arch === 'mips');
    expect(mips.map((f) => [f.ruleId, f.severity])).toEqual([['kvm-init-last', 'warning']]);
    expect(mips[0]!.message).toContain('"priority-to-irq", "die-notifier"');
    const unused = result.findings.filter((f) => f.ruleId === 'no-unused-hook');
    expect(unused).toHaveLength(1);
    expect(unused[0]!.message).toContain('kvm_arch_post_hardware_enable_setup()');
  });

  it('tdx-v7 with the patched vmx and mips: no hook-state-initialized error, no mips warning', async () => {
    const { result } = await json('--profile', 'tdx-v7', '--variant', 'tdx-v7');
    expect(result.findings.filter((f) => f.ruleId === 'hook-state-initialized')).toEqual([]);
    expect(result.findings.filter((f) => f.arch === 'mips')).toEqual([]);
  });

  it('--variant ARCH=NAME patches one arch only', async () => {
    const { result } = await json('--profile', 'tdx-v7', '--variant', 'x86-vmx=tdx-v7');
    expect(result.summary.errors).toBe(0);
    expect(result.findings.some((f) => f.arch === 'mips')).toBe(true);
  });

  it("without --profile, uses the released profile of the plugins' newest kernel", async () => {
    const { result } = await json();
    expect(result.profile).toBe('v6.12');
    expect(result.archs).toEqual([...ARCHS, 'loongarch']);
  });
});

describe('check: output', () => {
  it('json follows the documented contract and is byte-identical run to run', async () => {
    const first = await run('check', '--profile', 'tdx-v7', '--format', 'json');
    const second = await run('check', '--profile', 'tdx-v7', '--format', 'json');
    expect(first.stdout).toBe(second.stdout);
    const result = JSON.parse(first.stdout) as CheckResult;
    expect(Object.keys(result)).toEqual(['profile', 'archs', 'findings', 'summary']);
    for (const finding of result.findings) {
      expect(Object.keys(finding).slice(0, 5)).toEqual(['ruleId', 'severity', 'arch', 'profile', 'message']);
      expect([typeof finding.location?.file, typeof finding.location?.line, typeof finding.location?.column]).toEqual(['string', 'number', 'number']);
    }
  });

  it('stylish groups per arch, names the rule and place, and ends with a summary', async () => {
    const { stdout } = await run('check', '--profile', 'tdx-v7');
    expect(stdout).toContain('\nx86-vmx\n');
    expect(stdout).toMatch(/error {4}hardware-disable hook .*hook-state-initialized\n {11}at .*plugins\/x86-vmx\/plugin\.yaml:\d+:\d+/);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(/^✖ \d+ problems \(1 error, \d+ warnings\): profile tdx-v7, 7 archs/);
    expect(stdout).not.toContain('\u001b[');
  });

  it('--quiet reports errors only; --max-warnings turns warnings into exit 1', async () => {
    const quiet = await json('--profile', 'tdx-v7', '--quiet');
    expect(quiet.result.findings.every((f) => f.severity === 'error')).toBe(true);
    expect((await run('check', '--profile', 'v5.19', '--max-warnings', '0')).code).toBe(1);
    expect((await run('check', '--profile', 'v5.19', '--max-warnings', '100')).code).toBe(0);
  });

  it('--rule sets a severity', async () => {
    const { code, result } = await json('--profile', 'tdx-v7', '--rule', 'hook-state-initialized:warning', '--rule', 'kvm-init-last:off');
    expect(code).toBe(0);
    expect(result.findings.some((f) => f.ruleId === 'kvm-init-last')).toBe(false);
    expect(result.findings.find((f) => f.ruleId === 'hook-state-initialized')?.severity).toBe('warning');
  });

  it('--output-file writes the report and prints nothing', async () => {
    const file = join(tempDir(), 'report.json');
    const { stdout, code } = await run('check', '--profile', 'tdx-v7', '--format', 'json', '--output-file', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect((JSON.parse(readFileSync(file, 'utf8')) as CheckResult).profile).toBe('tdx-v7');
  });

  it('--profile PATH checks a proposed ordering from a file', async () => {
    const dir = tempDir();
    const profile = join(dir, 'enable-at-init.yaml');
    writeFileSync(
      profile,
      readFileSync(fileURLToPath(import.meta.resolve('@kvm-rules/core/profiles/tdx-v7.yaml')), 'utf8')
        .replace('id: tdx-v7', 'id: proposal')
        .replace(/\n {2}post-enable-setup:[^]*?summary: [^\n]*\n/, '\n'),
    );
    const without = profile.replace('.yaml', '-no-post.yaml');
    writeFileSync(without, readFileSync(profile, 'utf8').replace(/ {2}- id: post-enable-setup\n[^]*?calls: \[\{ hook: post-enable-setup \}\]\n/, ''));
    const { result } = await json('--profile', without);
    expect(result.profile).toBe('proposal');
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => f.arch)).toEqual(['x86-vmx']);
    expect(result.findings.some((f) => f.ruleId === 'no-unused-hook')).toBe(false);
  });
});

describe('bad input: exit 2 and one clear line', () => {
  it('a rule file with a misspelled key', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'late.yaml'), 'id: late\nkind: kvm-init-last\nseverty: error\nsummary: Nothing after kvm_init().\n');
    const { code, stderr, stdout } = await run('check', '--rules-dir', dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^kvm-rules: .*late\.yaml:3:1: \/: unknown key "severty" \(did you mean "severity"\?\)\n$/);
  });

  it('a plugin manifest missing a required field', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plugin.yaml'), 'id: demo\nsummary: Demo arch\nkernel: "5.19"\nhooks: {}\nstate: {}\n');
    const { code, stderr } = await run('check', '--plugin', join(dir, 'plugin.yaml'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^kvm-rules: .*plugin\.yaml:1:1: \/: missing required key "modules"\n$/);
  });

  it('--profile nope', async () => {
    const { code, stderr } = await run('check', '--profile', 'nope');
    expect(code).toBe(2);
    expect(stderr).toBe('kvm-rules: --profile: unknown profile "nope" (profiles: tdx-v7, v5.19, v6.12)\n');
  });

  it('unknown arch, unknown variant, bad --rule, unknown option', async () => {
    expect((await run('check', '--arch', 'sparc')).stderr).toMatch(/^kvm-rules: --arch: unknown arch "sparc" \(archs: x86-vmx, /);
    expect((await run('check', '--variant', 'nope')).stderr).toBe('kvm-rules: --variant: no selected plugin has a variant "nope"\n');
    expect((await run('check', '--rule', 'kvm-init-last')).code).toBe(2);
    expect((await run('check', '--rule', 'nope:error')).stderr).toMatch(/^kvm-rules: unknown rule "nope"/);
    expect((await run('check', '--frobnicate')).code).toBe(2);
  });

  it('the installed bin exits 2 without a stack trace', () => {
    const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));
    const result = spawnSync(process.execPath, [bin, 'check', '--profile', 'nope'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('list and explain', () => {
  it('lists profiles, plugins with their variants, and rules', async () => {
    const { stdout, code } = await run('list');
    expect(code).toBe(0);
    expect(stdout).toMatch(/profiles:\n {2}tdx-v7 +proposal on 5\.19/);
    expect(stdout).toMatch(/ {2}x86-vmx +5\.19, 6\.12 +Intel VMX.*variants: tdx-v7/);
    expect(stdout).toMatch(/ {2}loongarch +6\.12 +LoongArch/);
    expect(stdout).toMatch(/ {2}hook-state-initialized +error/);
  });

  it('--version prints the version of kvm-rules', async () => {
    expect(await run('--version')).toEqual({
      code: 0,
      stdout: `${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`,
      stderr: '',
    });
  });

  it('explains a rule with its messages and doc page', async () => {
    const { stdout } = await run('explain', 'kvm-init-last');
    expect(stdout).toMatch(/^kvm-init-last \(warning\)/);
    expect(stdout).toContain('workAfterKvmInit:');
    expect(stdout).toContain('docs/rules/kvm-init-last.md');
    expect((await run('explain', 'nope')).code).toBe(2);
  });

  it('the bin runs through npx-style resolution from the repository root', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const out = execFileSync(process.execPath, [join(root, 'node_modules/.bin/kvm-rules'), 'list', 'profiles'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('v6.12');
  });
});
