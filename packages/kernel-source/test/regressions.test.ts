// Bugs found once in src/, each kept as a test of the behaviour that is right.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexFile } from '../src/file-index.js';
import { checkKernel, copyFixture } from './helpers.js';

describe('regressions', () => {
  it(
    'a hook reading a per-CPU list through this_cpu_ptr(&list) reads it (recordCall: this_cpu_ptr() only computes an address)',
    async () => {
      // late-percpu, with the hardware-disable helper walking this CPU's list through
      // this_cpu_ptr(&demo_loaded_vmcss) instead of &per_cpu(demo_loaded_vmcss, cpu).
      const dir = copyFixture('late-percpu');
      const vmx = join(dir, 'arch/demox/kvm/vmx/vmx.c');
      const text = readFileSync(vmx, 'utf8');
      const changed = text.replace('&per_cpu(demo_loaded_vmcss, cpu),', 'this_cpu_ptr(&demo_loaded_vmcss),');
      expect(changed).not.toBe(text);
      writeFileSync(vmx, changed);
      const { findings } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });
      // this_cpu_ptr()/per_cpu_ptr() only compute an address; had they counted as writes,
      // derivedHook() would drop the list as "the hook sets it itself".
      const hookState = findings.filter((f) => f.ruleId === 'hook-state-initialized');
      expect(hookState.map((f) => f.location?.file)).toEqual(['arch/demox/kvm/vmx/vmx.c']);
      expect(hookState[0]!.message).toContain('reads demo_loaded_vmcss through demo_vmx_hardware_disable() → demo_vmclear_loaded_vmcss()');
    },
  );

  it(
    'a per-CPU variable named like its type (arm64: DEFINE_PER_CPU(struct kvm_host_data, kvm_host_data)) is located at the name, not at the type',
    () => {
      const line = 'static DEFINE_PER_CPU(struct demo_host_data, demo_host_data);';
      const index = indexFile('arch/demo/kvm/demo.c', `${line}\n`);
      expect(index.variables).toEqual([expect.objectContaining({ name: 'demo_host_data', kind: 'per-cpu', line: 1, column: line.lastIndexOf('demo_host_data') + 1 })]);
    },
  );
});
