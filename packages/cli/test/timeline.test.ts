// `kvm-rules timeline`: the seed's proposed ordering (tdx-v7) drawn for x86-vmx, as text, dot and
// mermaid, with the places its findings rest on marked.
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('timeline', () => {
  it("text: kvm_init() nested where vmx_init() calls it, hardware_disable run inside it before the lists' init, both marked", async () => {
    const { code, stdout } = await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const kvmInit = at(/^- kvm_init\(\)$/);
    const disable = at(
      /^ {4}- hook kvm_arch_hardware_disable\(\) on each online CPU → vmx_hardware_disable\(\), reads .*loaded_vmcss_on_cpu.*<- hook-state-initialized$/,
    );
    const lists = at(/^- INIT_LIST_HEAD\(\), initializes loaded_vmcss_on_cpu {3}<- .*hook-state-initialized/);
    expect(kvmInit).toBeGreaterThan(0);
    expect(disable).toBeGreaterThan(kvmInit);
    expect(lists).toBeGreaterThan(disable);
    expect(stdout).toContain('findings marked <-:');
  });

  it('dot and mermaid: one graph, kvm_init() a cluster, the marked steps in red', async () => {
    const dot = (await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7', '--format', 'dot')).stdout;
    expect(dot).toMatch(/^digraph timeline \{/);
    expect(dot).toContain('subgraph cluster_kvm_init');
    expect(dot).toMatch(/label="INIT_LIST_HEAD\(\), initializes loaded_vmcss_on_cpu\\n[^"]*hook-state-initialized", color=red/);
    const mermaid = (await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7', '--format', 'mermaid')).stdout;
    expect(mermaid).toContain('flowchart TD');
    expect(mermaid).toMatch(/^ {2}class (n\d+,)*n\d+ finding$/m);
  });

  it('an arch that is not loaded, or no --arch: exit 2 and one line', async () => {
    const unknown = await run('timeline', '--arch', 'vax');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect((await run('timeline')).code).toBe(2);
  });
});
