// A brace that does not match ends tree-sitter's reading of a function early, and everything
// after it is left out without a parse error inside the body. That must never be a silent pass:
// in kvm_init() or a module init it is an error; in a function they call, a warning.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brief, checkKernel, copyFixture, runCli } from './helpers.js';

/** The late-percpu fixture with one edit: `from` must occur once. */
function edited(file: string, from: string, to: string): string {
  const dir = copyFixture('late-percpu');
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  expect(text.split(from).length).toBe(2);
  writeFileSync(path, text.replace(from, to));
  return dir;
}

const late = (dir: string) => checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });

describe('a function cut short by a missing `{`', () => {
  it('in kvm_init(): a source-unreadable error where the reading ends, never a clean pass', async () => {
    // Without the `{`, the `}` after goto closes kvm_init()'s body: the labels below are never read.
    const dir = edited('virt/kvm/kvm_main.c', '\tif (r) {\n\t\tpr_err("kvm: misc device register failed\\n");', '\tif (r)\n\t\tpr_err("kvm: misc device register failed\\n");');
    const { findings } = await late(dir);
    const cut = findings.filter((f) => f.message.startsWith("tree-sitter's reading of kvm_init() ends here"));
    expect(cut.map(brief)).toEqual(['source-unreadable generic error virt/kvm/kvm_main.c:162:2']);
    expect(cut[0]!.message).toContain('the rest of kvm_init() is not analyzed, so findings that rest on it may be missing');
    const { status } = runCli('check', '--kernel', dir, '--plugin', join(dir, 'plugin.yaml'), '--arch', 'demo-vmx', '--rule', 'hook-state-initialized:off', '--rule', 'kvm-init-last:off');
    expect(status).toBe(1);
  });

  it('in a function the hooks call: a source-partly-read warning at the same kind of place', async () => {
    const dir = edited('arch/demox/kvm/vmx/vmx.c', '\tfor_each_possible_cpu(cpu) {\n\t\tdemo_free_vmcs(', '\tfor_each_possible_cpu(cpu)\n\t\tdemo_free_vmcs(');
    const { findings } = await late(dir);
    const cut = findings.filter((f) => f.message.startsWith("tree-sitter's reading of demo_free_vmxon_regions() ends here"));
    expect(cut.map((f) => `${f.ruleId} ${f.severity} ${f.location?.file}`)).toEqual(['source-partly-read warning arch/demox/kvm/vmx/vmx.c']);
  });
});
