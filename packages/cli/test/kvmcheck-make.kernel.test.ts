// docs/kvmcheck.mk, the `make kvmcheck` wrapper of docs/kernel-workflow.md, run by make in the
// real 6.12 tree (fetched by scripts/kernels.mjs when missing): gcc-style lines, make's exit
// status, and every other goal left to the kernel's own Makefile.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';

const fragment = fileURLToPath(new URL('../../../docs/kvmcheck.mk', import.meta.url));
const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));
let tree: string;

beforeAll(() => {
  // make is a test dependency (Debian: make): without it these tests fail, they never skip.
  if (spawnSync('make', ['--version']).status !== 0) throw new Error('make is needed for these tests (Debian: apt-get install make)');
  tree = fetchKernel('6.12');
});

function make(...args: string[]) {
  return spawnSync('make', ['--no-print-directory', '-f', fragment, ...args, `KVM_RULES=${process.execPath} ${bin}`], { cwd: tree, encoding: 'utf8' });
}

describe('make kvmcheck', () => {
  it('prints the findings as gcc does, and fails the make', () => {
    const result = make('-s', 'kvmcheck', 'KVMCHECK_FLAGS=--arch riscv');
    expect(result.stdout).toMatch(/^arch\/riscv\/kvm\/main\.c:\d+:2: error: riscv_kvm_init\(\) returns an error at `default:` .*\[unwind-on-failure\]$/m);
    expect(result.stdout).toMatch(/^arch\/riscv\/kvm\/main\.c:\d+:7: note: kvm_riscv_aia_init\(\) sets it up here$/m);
    expect(result.stdout).toMatch(/^virt\/kvm\/kvm_main\.c:\d+:2: error: kvm_init\(\): /m);
    expect(result.stderr).toMatch(/kvmcheck\.mk:\d+: kvmcheck\] Error 1/);
    expect(result.status).toBe(2);
  });

  it('passes on a clean check', () => {
    const result = make('-s', 'kvmcheck', 'KVMCHECK_FLAGS=--arch x86-vmx --rule unwind-on-failure:off');
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it("leaves every other goal to the kernel's Makefile", () => {
    // The tree keeps only the KVM sources, so the kernel's Makefile stops on its missing scripts/.
    const result = make('kernelversion');
    expect(result.stderr).toMatch(/Makefile:\d+: scripts\/Makefile\.\S+: No such file or directory/);
    expect(result.stdout + result.stderr).not.toContain('kvm-rules');
  });
});
