// "did you mean" for the ids given on the command line, as flags and config keys already have:
// a near miss names the likely id, anything else lists the ids there are.
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

async function badInput(...argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await run(...argv);
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  return stderr;
}

describe('did you mean', () => {
  it('explain <rule-id>', async () => {
    expect(await badInput('explain', 'kvm-init-lst')).toBe('kvm-rules: unknown rule "kvm-init-lst" (did you mean "kvm-init-last"?)\n');
    expect(await badInput('explain', 'unwind-on-failures')).toBe('kvm-rules: unknown rule "unwind-on-failures" (did you mean "unwind-on-failure"?)\n');
    expect(await badInput('explain', 'nope')).toMatch(/^kvm-rules: unknown rule "nope" \(rules: hook-state-initialized, integrity, kvm-init-last, /);
  });

  it('check --arch <id> and deps --arch <id>', async () => {
    expect(await badInput('check', '--arch', 'x86-vmz')).toBe('kvm-rules: --arch: unknown arch "x86-vmz" (did you mean "x86-vmx"?)\n');
    expect(await badInput('check', '--arch', 'arm')).toBe('kvm-rules: --arch: unknown arch "arm" (did you mean "arm64"?)\n');
    expect(await badInput('check', '--arch', 'sparc')).toMatch(/^kvm-rules: --arch: unknown arch "sparc" \(archs: x86-vmx, x86-svm, mips, /);
    expect(await badInput('deps', '--kernel', '.', '--arch', 'riscv64')).toBe('kvm-rules: --arch: unknown arch "riscv64" (did you mean "riscv"?)\n');
  });

  it('check --profile <id>', async () => {
    expect(await badInput('check', '--profile', 'v6.13')).toBe('kvm-rules: --profile: unknown profile "v6.13" (did you mean "v6.12"?)\n');
    expect(await badInput('check', '--profile', 'tdx-v8')).toBe('kvm-rules: --profile: unknown profile "tdx-v8" (did you mean "tdx-v7"?)\n');
    expect(await badInput('check', '--profile', 'nope')).toBe('kvm-rules: --profile: unknown profile "nope" (profiles: tdx-v7, v5.19, v6.12)\n');
  });

  it('commands and options, from commander', async () => {
    expect(await badInput('chek')).toContain("error: unknown command 'chek'\n(Did you mean check?)");
    expect(await badInput('check', '--prfile', 'v6.12')).toContain("error: unknown option '--prfile'\n(Did you mean --profile?)");
  });
});
