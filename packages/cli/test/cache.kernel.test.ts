// --cache on the real 6.12 tree, through the installed bin (a hit is answered before the checker
// loads): the same command on unchanged input gives the same report from the cache, and one
// edited kernel file is enough for the run to be done again, with the finding it brings.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';

const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));
let tree = '';
let cache = '';

function check(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, 'check', '--kernel', tree, '--cache', '--cache-location', cache, '--format', 'json', ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-cache-'));
  tree = join(dir, 'linux');
  cache = join(dir, 'cache.json');
  cpSync(fetchKernel('6.12'), tree, { recursive: true });
}, 300_000);

describe('--cache', () => {
  it('keeps the report, gives it back unchanged, and redoes the run when one kernel file changes', () => {
    const first = check();
    expect([0, 1]).toContain(first.code);
    expect(existsSync(cache)).toBe(true);
    const again = check();
    expect(again).toEqual(first);

    // vmx_init() with its per-CPU lists set up after kvm_init(), as in 5.19.
    const vmx = join(tree, 'arch/x86/kvm/vmx/vmx.c');
    const text = readFileSync(vmx, 'utf8');
    const edited = text
      .replace('\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n', '')
      .replace(
        '\tif (r)\n\t\tgoto err_kvm_init;\n',
        '\tif (r)\n\t\tgoto err_kvm_init;\n\n\tfor_each_possible_cpu(cpu)\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n',
      );
    expect(edited).not.toBe(text);
    writeFileSync(vmx, edited);
    const changed = check();
    expect(changed.code).toBe(1);
    const findings = (JSON.parse(changed.stdout) as { findings: { ruleId: string; arch: string }[] }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'hook-state-initialized', arch: 'x86-vmx' }));
    expect(changed.stdout).not.toBe(first.stdout);

    // Back as it was: the first report again (the entry was replaced, so this run is done anew).
    writeFileSync(vmx, text);
    expect(check()).toEqual(first);
  });

  it('another command (another format) is another entry, and a broken cache file is no cache', () => {
    const json = check();
    const stylish = spawnSync(process.execPath, [bin, 'check', '--kernel', tree, '--cache', '--cache-location', cache, '--no-color'], { encoding: 'utf8' });
    expect(stylish.stdout).not.toBe(json.stdout);
    expect(stylish.stdout).toContain('kernel tree');
    writeFileSync(cache, '{ not json');
    expect(check()).toEqual(json);
  });
});

describe('--cache with a plugin named by package', () => {
  it('what the run loaded from the package is an input: an edit to its manifest redoes the run', () => {
    const project = mkdtempSync(join(tmpdir(), 'kvm-rules-cache-plugin-'));
    const plugin = join(project, 'node_modules', 'kvm-rules-plugin-acme');
    cpSync(fileURLToPath(new URL('./fixtures/plugins/acme', import.meta.url)), plugin, { recursive: true });
    symlinkSync(fileURLToPath(new URL('../../../node_modules', import.meta.url)), join(plugin, 'node_modules'), 'dir');
    const run = () => {
      const args = ['check', '--profile', 'v6.12', '--plugin', 'acme', '--arch', 'acme-vmm', '--cache', '--format', 'json'];
      const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: project });
      return (JSON.parse(result.stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);
    };
    expect(run()).toContain('acme-phase-summary');
    expect(existsSync(join(project, '.kvm-rules-cache'))).toBe(true);
    const manifest = join(plugin, 'plugin.yaml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('{ id: kvm-init, call: kvm_init,', '{ id: kvm-init, summary: kvm_init() last, call: kvm_init,'),
    );
    expect(run()).not.toContain('acme-phase-summary');
  });
});
