// --changed-since REV in a git copy of the real 6.12 tree: a commit that moves VMX's
// loaded_vmcss_on_cpu initialization after kvm_init() is reported, and nothing it did not bring.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { checkJson, run } from './run.js';

let repo = '';
let linux612 = '';

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.name=kvm-rules', '-c', 'user.email=kvm-rules@localhost', ...args], { encoding: 'utf8' });

/** vmx_init() as 5.19 had it: the per-CPU lists set up after kvm_init() has exposed /dev/kvm. */
function moveLoadedVmcssInitAfterKvmInit(file: string): void {
  const text = readFileSync(file, 'utf8');
  const loop = '\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n\n\t\tpi_init_cpu(cpu);\n\t}\n';
  const kvmInit = '\tif (r)\n\t\tgoto err_kvm_init;\n';
  if (!text.includes(loop) || !text.includes(kvmInit)) throw new Error(`${file} is not the vmx_init() this test knows`);
  const moved = text
    .replace(loop, '\tfor_each_possible_cpu(cpu)\n\t\tpi_init_cpu(cpu);\n')
    .replace(kvmInit, `${kvmInit}\n\tfor_each_possible_cpu(cpu)\n\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n`);
  writeFileSync(file, moved);
}

beforeAll(() => {
  linux612 = fetchKernel('6.12');
  repo = join(mkdtempSync(join(tmpdir(), 'kvm-rules-git-')), 'linux');
  cpSync(linux612, repo, { recursive: true });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'Linux 6.12 (KVM parts)');
  moveLoadedVmcssInitAfterKvmInit(join(repo, 'arch/x86/kvm/vmx/vmx.c'));
  git('commit', '-q', '-a', '-m', 'KVM: VMX: set up loaded_vmcss_on_cpu after kvm_init()');
}, 300_000);

const check = checkJson;

describe('--changed-since', () => {
  it('HEAD~1: exit 1 with the hook-state-initialized error the commit brings, and only what it brings', async () => {
    const { code, result } = await check('--kernel', repo, '--changed-since', 'HEAD~1');
    expect(code).toBe(1);
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.ruleId} ${f.arch} ${f.location?.file}`)).toEqual(['hook-state-initialized x86-vmx arch/x86/kvm/vmx/vmx.c']);
    expect(errors[0]!.message).toContain('reads loaded_vmcss_on_cpu through vmx_disable_virtualization_cpu() → vmclear_local_loaded_vmcss()');
    // The rest is the same commit seen by other rules: work after kvm_init(), and the plugin's order.
    expect(result.findings.every((f) => f.arch === 'x86-vmx')).toBe(true);
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['hook-state-initialized', 'kvm-init-last', 'plugin-drift', 'plugin-drift']);
    // The working tree is as it was: nothing was checked out.
    expect(git('status', '--porcelain')).toBe('');
  });

  it('stylish says first what it leaves out: the findings the revision had', async () => {
    const { code, stdout } = await run('check', '--kernel', repo, '--changed-since', 'HEAD~1', '--no-color');
    expect(code).toBe(1);
    const all = (await check('--kernel', repo)).result.findings.length;
    const shown = (await check('--kernel', repo, '--changed-since', 'HEAD~1')).result.findings.length;
    expect(stdout.split('\n')[0]).toBe(`only findings new since HEAD~1; ${all - shown} findings of HEAD~1 not shown`);
  });

  it('HEAD: nothing new, exit 0', async () => {
    const { code, result } = await check('--kernel', repo, '--changed-since', 'HEAD');
    expect(code).toBe(0);
    expect(result.findings).toEqual([]);
  });

  it('the tree in a subdirectory of its repository (R/linux, the repository at R): the same findings as at the root', async () => {
    const top = mkdtempSync(join(tmpdir(), 'kvm-rules-git-top-'));
    const tree = join(top, 'linux');
    cpSync(linux612, tree, { recursive: true });
    const at = (...args: string[]) =>
      execFileSync('git', ['-C', top, '-c', 'user.name=kvm-rules', '-c', 'user.email=kvm-rules@localhost', ...args], { encoding: 'utf8' });
    at('init', '-q');
    at('add', '-A');
    at('commit', '-q', '-m', 'Linux 6.12 (KVM parts), in linux/');
    moveLoadedVmcssInitAfterKvmInit(join(tree, 'arch/x86/kvm/vmx/vmx.c'));
    at('commit', '-q', '-a', '-m', 'KVM: VMX: set up loaded_vmcss_on_cpu after kvm_init()');
    const below = await check('--kernel', tree, '--changed-since', 'HEAD~1');
    const root = await check('--kernel', repo, '--changed-since', 'HEAD~1');
    expect(below.code).toBe(1);
    expect(below.result.findings.map((f) => `${f.ruleId} ${f.arch} ${f.location?.file}:${f.location?.line}`)).toEqual(
      root.result.findings.map((f) => `${f.ruleId} ${f.arch} ${f.location?.file}:${f.location?.line}`),
    );
  });

  it('a tree that is not in a git repository, a revision that does not exist, no --kernel: exit 2 and one line', async () => {
    const plain = join(mkdtempSync(join(tmpdir(), 'kvm-rules-plain-')), 'linux');
    cpSync(linux612, plain, { recursive: true });
    const notGit = await run('check', '--kernel', plain, '--changed-since', 'HEAD~1');
    expect(notGit.code).toBe(2);
    expect(notGit.stderr).toBe(`kvm-rules: --changed-since: ${plain} is not in a git repository\n`);
    // The fetched trees sit, ignored, inside this repository's checkout: not in any commit.
    const ignored = await run('check', '--kernel', linux612, '--changed-since', 'HEAD');
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toMatch(
      /^kvm-rules: --changed-since: HEAD has no kernel tree at .* \(virt\/kvm\/kvm_main\.c is not in that commit: untracked or ignored\?\)\n$/,
    );
    const noRev = await run('check', '--kernel', repo, '--changed-since', 'v9.99');
    expect(noRev.code).toBe(2);
    expect(noRev.stderr).toBe(`kvm-rules: --changed-since: no commit "v9.99" in the git repository of ${repo}\n`);
    const noKernel = await run('check', '--changed-since', 'HEAD');
    expect(noKernel.code).toBe(2);
    expect(noKernel.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('SIGINT while the revision is read: the copy is removed, the last report too, and the exit is 130', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'kvm-rules-sigint-'));
    const report = join(tmp, 'report.json');
    writeFileSync(report, '{"an old report":"that said success"}');
    const bin = join(import.meta.dirname, '../bin/kvm-rules.js');
    const child = spawn(process.execPath, [bin, 'check', '--kernel', repo, '--changed-since', 'HEAD~1', '--format', 'json', '-o', report], {
      // Node's compile cache (22.1 and later) lives in the temp dir on purpose, and would be the one thing left there.
      env: { ...process.env, TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => {
        resolve(code);
      }),
    );
    // Interrupt once the copy holds the tree, while it is being analyzed.
    const copies = () => readdirSync(tmp).filter((name) => name.startsWith('kvm-rules-rev-'));
    for (let i = 0; i < 500 && !copies().some((c) => existsSync(join(tmp, c, 'virt/kvm/kvm_main.c'))); i++) await new Promise((r) => setTimeout(r, 20));
    expect(copies()).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readdirSync(tmp)).toEqual([]);
  }, 60_000);
});
