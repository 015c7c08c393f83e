// --arch narrows, never adds: `check … --arch X` reports exactly the findings of the check of
// every arch that are about X, and every generic finding of that check (the same ones, with the
// same messages: a judgement across archs, such as no-unused-hook, still looks at all of them).
// On the 6.12 and 6.1 trees (fetched when missing, as in kernel.test.ts) and on each profile.
import { GENERIC_ARCH, type Finding } from '@kvm-rules/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { checkJson, run } from './run.js';

const ARCHS = ['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390', 'loongarch'];

const trees: Record<string, string> = {};

beforeAll(() => {
  trees['6.12'] = fetchKernel('6.12');
  trees['6.1'] = fetchKernel('6.1');
}, 300_000);

/** The subjects: a tree with its own ordering, a tree under another ordering, and each profile without a tree. */
const SUBJECTS: { name: string; args: () => string[]; archs?: string[] }[] = [
  { name: 'Linux 6.12', args: () => ['--kernel', trees['6.12']!] },
  { name: 'Linux 6.1', args: () => ['--kernel', trees['6.1']!] },
  { name: 'Linux 6.1 under tdx-v7', args: () => ['--kernel', trees['6.1']!, '--profile', 'tdx-v7'] },
  { name: 'profile tdx-v7', args: () => ['--profile', 'tdx-v7'] },
  // Only the archs that have the variant can be selected with it (see the last test).
  { name: 'profile tdx-v7 with the seed patch', args: () => ['--profile', 'tdx-v7', '--variant', 'tdx-v7'], archs: ['x86-vmx', 'mips'] },
  { name: 'profile v5.19', args: () => ['--profile', 'v5.19'] },
  { name: 'profile v6.12', args: () => ['--profile', 'v6.12'] },
];

const expectedCode = (findings: Finding[]) => (findings.some((f) => f.severity === 'error') ? 1 : 0);

describe('--arch narrows, never adds', () => {
  it.each(SUBJECTS)(
    '$name: each arch reports its own findings of the full check and all of its generic ones, nothing else',
    async ({ args, archs = ARCHS }) => {
      const full = await checkJson(...args());
      const generic = full.result.findings.filter((f) => f.arch === GENERIC_ARCH);
      for (const arch of archs) {
        if (!full.result.archs.includes(arch)) {
          // An arch the kernel version does not have (loongarch before 6.7) is bad input, not a clean result.
          const { code, stderr } = await run('check', ...args(), '--arch', arch);
          expect(code, arch).toBe(2);
          expect(stderr, arch).toMatch(new RegExp(`^kvm-rules: --arch: ${arch} is not in Linux `));
          continue;
        }
        const one = await checkJson(...args(), '--arch', arch);
        const expected = full.result.findings.filter((f) => f.arch === arch || f.arch === GENERIC_ARCH);
        expect(one.result.archs, arch).toEqual([arch]);
        expect(one.result.findings, arch).toEqual(expected);
        expect(
          one.result.findings.filter((f) => f.arch === GENERIC_ARCH),
          arch,
        ).toEqual(generic);
        expect(one.code, arch).toBe(expectedCode(expected));
      }
    },
    120_000,
  );

  it('no-unused-hook under --arch judges every arch: the weak post-enable hook of tdx-v7 is unused by all seven', async () => {
    const { result } = await checkJson('--profile', 'tdx-v7', '--arch', 'mips');
    const unused = result.findings.filter((f) => f.ruleId === 'no-unused-hook');
    expect(unused.map((f) => f.message)).toEqual([
      'kvm_arch_post_hardware_enable_setup() (post-enable-setup) has a __weak default in tdx-v7 but no analyzed arch implements it (7 analyzed); introduce it with its first user',
    ]);
  });

  it('6.12 --arch powerpc: no no-unused-hook for the virtualization hooks that x86 implements', async () => {
    const { result } = await checkJson('--kernel', trees['6.12']!, '--arch', 'powerpc');
    expect(result.findings.filter((f) => f.ruleId === 'no-unused-hook')).toEqual([]);
  });

  it('with the seed patch (--variant tdx-v7, which x86-vmx and mips have), --arch arm64 is refused as before: no selected plugin has it', async () => {
    const { code, stderr } = await run('check', '--profile', 'tdx-v7', '--variant', 'tdx-v7', '--arch', 'arm64');
    expect(code).toBe(2);
    expect(stderr).toContain('--variant: no selected plugin has a variant "tdx-v7"');
  });
});
