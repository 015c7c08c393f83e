// `kvm-rules timeline`: the seed's proposed ordering (tdx-v7) drawn for x86-vmx, as text, dot and
// mermaid, with the places its findings rest on marked.
import { assert, describe, expect, it } from 'vitest';
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

  it("dot and mermaid: one graph, kvm_init() a cluster, the marked steps in red, the hook's path to the late init a red edge", async () => {
    const raw = (await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7', '--format', 'dot')).stdout;
    // Labels are HTML-like, broken into left-aligned lines and colored: read them as plain text.
    const dot = raw.replace(/<BR ALIGN="LEFT"\/>( {2})?/g, ' ').replace(/<\/?(FONT|B)\b[^>]*>/g, '');
    expect(dot).toMatch(/^digraph timeline \{/);
    expect(dot).toContain('subgraph cluster_kvm_init');
    const node = (pattern: RegExp) => new RegExp(`^  (n\\d+) \\[${pattern.source}`, 'm').exec(dot)?.[1];
    const lists = node(
      /id="t-row-\d+", label=<INIT_LIST_HEAD\(\) ◀ kvm-init-last, hook-state-initialized sets up loaded_vmcss_on_cpu >, class="row f-\d f-\d", color="#cc0000"/,
    );
    const disable = node(
      /id="t-row-\d+", label=<· · hook kvm_arch_hardware_disable\(\) on each online CPU → vmx_hardware_disable\(\) ◀ hook-state-initialized reads loaded_vmcss_on_cpu, [^>]*>, class="row f-1", color="#cc0000"/,
    );
    expect(lists).toBeDefined();
    expect(disable).toBeDefined();
    // The state the path is about is marked in red where it is read (two hook calls) and where it is set up.
    expect(raw.split('<FONT COLOR="#cc0000"><B>loaded_vmcss_on_cpu</B></FONT>')).toHaveLength(4);
    // The path: the disable hook that hardware-disable-all runs, to the lists' init it comes before.
    expect(dot).toContain(`${disable ?? ''} -> ${lists ?? ''} [constraint=false, color="#cc0000"`);
    expect(dot).toMatch(/label="reads loaded_vmcss_on_cpu, initialized only here"/);
    const mermaid = (await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7', '--format', 'mermaid')).stdout;
    expect(mermaid).toContain('flowchart TD');
    expect(mermaid).toMatch(/^ {2}class (n\d+,)*n\d+ finding$/m);
    expect(mermaid).toMatch(/^ {2}n\d+ -\.->\|"reads loaded_vmcss_on_cpu, initialized only here"\| n\d+$/m);
    expect(mermaid).toMatch(/^ {2}linkStyle (\d+,)*\d+ stroke:#d00/m);
  });

  it('svg: laid out by Graphviz, one document, the path in red', async () => {
    const { code, stdout } = await run('timeline', '--arch', 'x86-vmx', '--profile', 'tdx-v7', '--format', 'svg');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^<svg width="\d+pt" height="\d+pt"/);
    expect(stdout.trimEnd()).toMatch(/<\/svg>$/);
    expect(stdout).toContain('<g id="t0&#45;row&#45;');
    expect(stdout).toMatch(/<g id="edge\d+" class="edge path f&#45;1">[\s\S]*?stroke="#cc0000"/);
    expect(stdout).toContain('reads loaded_vmcss_on_cpu, initialized only here');
  });

  it("svg of an arch with several module inits (powerpc's): one document, the pictures one under the other", async () => {
    const { code, stdout } = await run('timeline', '--arch', 'powerpc', '--profile', 'v6.12', '--format', 'svg');
    expect(code).toBe(0);
    const outer = /^<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt" viewBox="0 0 ([\d.]+) ([\d.]+)">/.exec(stdout);
    assert(outer, 'an outer svg in points');
    const inner = [...stdout.matchAll(/<svg x="0" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => m.slice(1).map(Number));
    expect(inner.length).toBeGreaterThan(1);
    // Each picture starts where the one before ends, in the outer picture's units (points).
    let y = 0;
    for (const [top = -1, , height = 0] of inner) {
      expect(top).toBe(y);
      y += height;
    }
    expect(Number(outer[2])).toBe(y);
    expect(Number(outer[4])).toBe(y);
  });

  it('an arch that is not loaded, or no --arch: exit 2 and one line', async () => {
    const unknown = await run('timeline', '--arch', 'vax');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect((await run('timeline')).code).toBe(2);
  });
});
