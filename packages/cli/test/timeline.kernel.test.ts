// `kvm-rules timeline --kernel`: MIPS on Linux 6.1 as the seed's "Before this patch" list has it:
// the module init, kvm_init() with its steps, then the work MIPS does after it, marked.
import { describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { run } from './run.js';

describe('timeline --kernel', () => {
  it('mips on 6.1: kvm_mips_entry_setup(), kvm_init() and its steps, then register_die_notifier() marked kvm-init-last', async () => {
    const { code, stdout } = await run('timeline', '--arch', 'mips', '--kernel', fetchKernel('6.1'));
    expect(code).toBe(0);
    const top = stdout.split('\n').filter((line) => line.startsWith('- '));
    expect(top[0]).toMatch(/^- kvm_mips_entry_setup\(\)/);
    expect(top[1]).toBe('- kvm_init()');
    expect(top.find((line) => line.startsWith('- register_die_notifier()'))).toMatch(/<- kvm-init-last$/);
    expect(stdout).toMatch(/^ {2}- smp_call_function_single\n {4}- hook kvm_arch_check_processor_compat\(\) on each online CPU/m);
    expect(stdout).toMatch(/^ {4}- \/dev\/kvm exposed to userspace$/m);
  });
});
