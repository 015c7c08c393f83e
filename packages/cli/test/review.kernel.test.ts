// `kvm-rules review` on a series of our own against the real 6.1 tree (fixtures/review/series.ts):
// mailed as git format-patch writes it, and as commits in a git copy (REV..REV). Asserts what
// the code says (rules, archs, functions, which patch), not line numbers of the tree.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { seriesRepo, type SeriesRepo } from './fixtures/review/git-series.js';
import { series } from './fixtures/review/series.js';
import { codePoints } from '../src/formatters/wrap.js';
import { run } from './run.js';

interface ReviewedFinding {
  ruleId: string;
  arch: string;
  severity: string;
  message: string;
  location?: { file: string; line: number };
  patch: { index: number; line?: number; hunk?: string };
  fixedBy?: number;
  before?: { severity: string };
}

interface ReviewJson {
  kernel: { version: string; revision?: string };
  patches: {
    index: number;
    total: number;
    subject: string;
    skipped: boolean;
    outside: string[];
    introduced: ReviewedFinding[];
    changed: ReviewedFinding[];
    fixed: ReviewedFinding[];
    ordering: { scope: string; arch: string; steps: { mark: string; id: string; text: string }[] }[];
    reached: { ruleId: string; arch: string; message: string }[];
  }[];
  summary: { introduced: number; errors: number; madeErrors: number; fixedLater: number };
}

let linux61 = '';
let repo = '';
let work = '';
let git: SeriesRepo['git'];

/** The working tree's files the series touches, hashed: a review must leave them as they were. */
const treeHash = (dir: string) =>
  createHash('sha256')
    .update(['arch/x86/kvm/vmx/vmx.c', 'virt/kvm/kvm_main.c'].map((file) => readFileSync(join(dir, file))).join('\0'))
    .digest('hex');

async function review(...argv: string[]): Promise<{ code: number; result: ReviewJson; stderr: string }> {
  const { code, stdout, stderr } = await run('review', '--format', 'json', ...argv);
  if (code === 2) throw new Error(stderr);
  return { code, result: JSON.parse(stdout) as ReviewJson, stderr };
}

const brief = (f: ReviewedFinding) => `${f.ruleId} ${f.arch} ${f.severity}`;

beforeAll(() => {
  linux61 = fetchKernel('6.1');
  ({ work, repo, git } = seriesRepo(linux61));
  writeFileSync(join(work, 'series3.mbox'), git('format-patch', '--stdout', 'HEAD~4..HEAD~1'));
  writeFileSync(join(work, 'series4.mbox'), git('format-patch', '--stdout', 'HEAD~4..HEAD'));
  // As it goes to the list: threaded (Message-Id, In-Reply-To), with a cover letter, one file a patch.
  git('format-patch', '--thread', '--cover-letter', '-o', join(work, 'outgoing'), 'HEAD~4..HEAD');
}, 300_000);

describe('review', () => {
  it('three patches: the one that makes VMX an error, the unused weak hook, and the patch that only touches a header', async () => {
    const before = treeHash(linux61);
    const { code, result } = await review(join(work, 'series3.mbox'), '--kernel', linux61);
    expect(code).toBe(1);
    expect(treeHash(linux61)).toBe(before);
    expect(result.kernel.version).toMatch(/^6\.1\./);
    const [vmxAfter, hook, compat] = result.patches;
    assert(vmxAfter && hook && compat, 'three patches');
    expect(result.patches.map((p) => `${p.index}/${p.total}`)).toEqual(['1/3', '2/3', '3/3']);
    // 1/3: VMX's lists after kvm_init(): work after kvm_init(), at the patch's own line.
    const late = vmxAfter.introduced.find((f) => f.ruleId === 'kvm-init-last');
    assert(late?.patch.line !== undefined, 'kvm-init-last, at a line of the patch');
    expect(brief(late)).toBe('kvm-init-last x86-vmx warning');
    expect(late.message).toContain('vmx_init() does work after kvm_init(): "INIT_LIST_HEAD", "pi_init_cpu"');
    expect(late.patch.hunk).toMatch(/^@@ -\d+,\d+ \+\d+,\d+ @@ static int __init vmx_init\(void\)/);
    const mail = readFileSync(join(work, 'series3.mbox'), 'utf8').split('\n');
    expect(mail[late.patch.line - 1]).toMatch(/^[+ ]\t/);
    // 2/3 adds the hook's default but no caller yet: nothing changes; the header is said to be outside what is read.
    expect(hook.introduced.length + hook.changed.length + hook.fixed.length).toBe(0);
    expect(hook.outside).toEqual(['include/linux/kvm_host.h']);
    // 3/3 runs hardware enabling in kvm_init(): VMX's disable hook now reads the lists on every load.
    const vmx = compat.changed.find((f) => f.ruleId === 'hook-state-initialized' && f.arch === 'x86-vmx');
    assert(vmx, 'hook-state-initialized on x86-vmx changes');
    expect(`${brief(vmx)} was ${vmx.before?.severity ?? '?'}`).toBe('hook-state-initialized x86-vmx error was warning');
    expect(vmx.message).toContain('reads loaded_vmcss_on_cpu through vmx_hardware_disable() → vmclear_local_loaded_vmcss()');
    expect(vmx.message).toContain('certain: on every module load');
    const unused = compat.introduced.find((f) => f.ruleId === 'no-unused-hook');
    assert(unused, 'no-unused-hook');
    expect(brief(unused)).toBe('no-unused-hook generic warning');
    expect(unused.message).toContain('kvm_arch_post_hardware_enable_setup()');
    // The ordering, as the seed's commit message gives it: kvm_init() now enables and disables every CPU, the check inside.
    const kvmInit = compat.ordering.find((o) => o.scope === 'kvm_init()');
    const marked = (kvmInit?.steps ?? []).filter((step) => step.mark !== ' ').map((step) => `${step.mark} ${step.text}`);
    expect(marked).toEqual([
      '- smp_call_function_single: kvm_arch_check_processor_compat() on each online CPU',
      '+ hardware_enable_all: kvm_arch_check_processor_compat() on each online CPU, kvm_arch_hardware_enable() on each online CPU',
      '+ hardware_disable_all: kvm_arch_hardware_disable() on each online CPU',
      '+ kvm_arch_post_hardware_enable_setup: kvm_arch_post_hardware_enable_setup()',
    ]);
    expect(compat.ordering.map((o) => o.scope)).toEqual(['kvm_init()']);
    // MIPS's work after kvm_init() was there before; the reordered kvm_init() asks for a look at it, as the seed's reviewer did.
    expect(compat.reached.find((f) => f.arch === 'mips')?.message).toContain('kvm_mips_init() does work after kvm_init()');
    expect(hook.reached).toEqual([]);
    // 1/3 moves VMX's list setup past kvm_init() in vmx_init().
    const vmxInit = vmxAfter.ordering.find((o) => o.scope === 'x86-vmx vmx_init()');
    const texts = (vmxInit?.steps ?? []).map((step) => `${step.mark} ${step.text}`);
    expect(texts.slice(texts.indexOf('  kvm_init()'))).toEqual(['  kvm_init()', '~ INIT_LIST_HEAD()', '~ pi_init_cpu()']);
    expect(result.summary).toMatchObject({ madeErrors: 1, errors: 0 });
  });

  it('a fourth patch that fixes VMX: the error is fixed by 4/4, and the findings 1/4 brought say so', async () => {
    const { code, result, stderr } = await review(join(work, 'series4.mbox'), '--kernel', linux61);
    expect(stderr).toBe('');
    // A series must be bisectable: 3/4 still brings an error, even though 4/4 fixes it.
    expect(code).toBe(1);
    const fix = result.patches[3];
    assert(fix, 'four patches');
    expect(fix.fixed.map(brief).sort()).toEqual(['hook-state-initialized x86-vmx error', 'kvm-init-last x86-vmx warning']);
    expect(result.patches[0]?.introduced.filter((f) => f.arch === 'x86-vmx').map((f) => f.fixedBy)).toEqual([4, 4]);
    expect(result.patches[2]?.changed.find((f) => f.arch === 'x86-vmx')?.fixedBy).toBe(4);
    const { stdout } = await run('review', join(work, 'series4.mbox'), '--kernel', linux61);
    expect(stdout).toContain('fixed later by 4/4');
    expect(stdout).toContain('error (was warning)');
  });

  it('the same series as commits (REV..REV in the git copy): the same per-patch results', async () => {
    const perPatch = (r: ReviewJson) =>
      r.patches.map((p) => ({
        subject: p.subject,
        introduced: p.introduced.map((f) => [brief(f), f.location?.file, f.location?.line, f.patch.hunk, f.fixedBy]),
        changed: p.changed.map((f) => [brief(f), f.before?.severity, f.fixedBy]),
        fixed: p.fixed.map(brief),
      }));
    const mailed = (await review(join(work, 'series4.mbox'), '--kernel', linux61)).result;
    const committed = await review('HEAD~4..HEAD', '--kernel', repo);
    expect(committed.result.kernel.revision).toBe('HEAD~4');
    expect(perPatch(committed.result)).toEqual(perPatch(mailed));
    expect(git('status', '--porcelain')).toBe('');
  });

  it('bad input: exit 2 and one line naming what is wrong', async () => {
    writeFileSync(join(work, 'note.txt'), 'Looks good to me.\n');
    writeFileSync(join(work, 'empty.mbox'), '');
    const cases: [string[], RegExp][] = [
      [[join(work, 'note.txt'), '--kernel', linux61], /note\.txt holds no patch/],
      [[join(work, 'empty.mbox'), '--kernel', linux61], /empty\.mbox is empty: no patch in it/],
      [
        [join(work, 'series4.mbox'), '--kernel', fetchKernel('6.12')],
        /patch 1\/4 \(KVM: VMX: Initialize the per-CPU loaded VMCS lists after kvm_init\(\)\) does not apply to .*linux-6\.12: arch\/x86\/kvm\/vmx\/vmx\.c: the hunk @@ -\d+,\d+ \+\d+,\d+ @@ \(line \d+ of the mail\) does not match the tree/,
      ],
      [['no-such-rev..HEAD', '--kernel', repo], /review: git format-patch no-such-rev\.\.HEAD/],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await run('review', ...argv);
      expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
    }
  });

  it('--format mail: a threaded reply to each patch that changes a finding, per arch at the top, the finding under its quoted line', async () => {
    const { code, stdout } = await run('review', join(work, 'outgoing'), '--kernel', linux61, '--format', 'mail');
    expect(code).toBe(1);
    const replies = stdout.split(/^From kvm-rules .*$/m).slice(1);
    expect(replies.map((r) => /^Subject: (.*)$/m.exec(r)?.[1])).toEqual([
      `Re: [PATCH 1/4] ${series[0]?.subject ?? ''}`,
      `Re: [PATCH 3/4] ${series[2]?.subject ?? ''}`,
      `Re: [PATCH 4/4] ${series[3]?.subject ?? ''}`,
    ]);
    const sent = readFileSync(join(work, 'outgoing', readdirSync(join(work, 'outgoing')).find((name) => name.startsWith('0003-')) ?? ''), 'utf8');
    const messageId = /^Message-Id: (<.*>)$/im.exec(sent)?.[1];
    assert(messageId, 'git format-patch --thread gives each patch a Message-Id');
    const [first, compat] = replies;
    assert(first && compat, 'replies to 1/4 and 3/4');
    expect(compat).toContain(`In-Reply-To: ${messageId}`);
    expect(compat).toMatch(/^References: <cover\.[^>]*> /m);
    // The seed's verdicts: VMX needs a fix, MIPS a look (work after kvm_init() that kvm_init()'s change reaches), SVM nothing.
    expect(compat).toMatch(/^ {2}VMX: needs fix$/m);
    expect(compat).toMatch(/^ {2}.*\bMIPS\b.*: needs review$/m);
    expect(compat).toMatch(/^ {2}SVM\b.*: no change$/m);
    expect(compat).toContain('MIPS: this patch changes kvm_init(), and MIPS already has:');
    expect(compat).toMatch(/^ {2}\+ hardware_enable_all: kvm_arch_check_processor_compat\(\) on each$/m);
    // 1/4's findings sit under the quoted line they are about (the line after which nothing more is quoted).
    const quoted = first.indexOf('> +\t\tINIT_LIST_HEAD(&per_cpu(loaded_vmcss_on_cpu, cpu));\n');
    const paragraph = first.indexOf('VMX, kvm-init-last, warning: vmx_init() does work after kvm_init()');
    expect(quoted).toBeGreaterThan(0);
    expect(paragraph).toBeGreaterThan(quoted);
    expect(
      first
        .slice(quoted, paragraph)
        .split('\n')
        .filter((line) => line.startsWith('>')),
    ).toHaveLength(1);
    // 3/4's VMX error sits under the line of kvm_init() that makes the hook run too early.
    expect(compat).toMatch(
      /^> \+\thardware_disable_all\(\);\n\nHere kvm_init\(\) step "hardware_disable_all" starts it; at\narch\/x86\/kvm\/vmx\/vmx\.c:\d+:\d+: VMX, hook-state-initialized, error \(was$/m,
    );
    expect(first).toContain('Patch 4/4 fixes this');
    const body = stdout.split('\n').filter((line) => !line.startsWith('>') && !/^(Subject|In-Reply-To|References): /.test(line));
    expect(body.filter((line) => codePoints(line).length > 72)).toEqual([]);
  });

  it('--format gcc and sarif: what the series brings, each message naming its patch', async () => {
    const gcc = await run('review', join(work, 'series4.mbox'), '--kernel', linux61, '--format', 'gcc');
    expect(gcc.code).toBe(1);
    expect(gcc.stdout).toMatch(/^\S*arch\/x86\/kvm\/vmx\/vmx\.c:\d+:\d+: error: \[PATCH 3\/4\] hardware-disable hook .*\(fixed later by 4\/4\)/m);
    const sarif = await run('review', join(work, 'series4.mbox'), '--kernel', linux61, '--format', 'sarif');
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { level: string; message: { text: string } }[] }[] }).runs[0]?.results ?? [];
    expect(results.filter((r) => r.level === 'error').map((r) => r.message.text.slice(0, 12))).toEqual(['[PATCH 3/4] ']);
  });

  it('a rename, a binary file and CRLF line ends are reviewed as git applies them', async () => {
    const branch = git('rev-parse', '--abbrev-ref', 'HEAD').trim();
    git('checkout', '-q', '-b', 'robust', 'HEAD~4');
    try {
      git('mv', 'arch/x86/kvm/vmx/posted_intr.h', 'arch/x86/kvm/vmx/pi.h');
      const header = join(repo, 'arch/x86/kvm/vmx/vmx.h');
      const text = readFileSync(header, 'utf8');
      assert(text.includes('#include "posted_intr.h"'), 'vmx.h includes posted_intr.h');
      writeFileSync(header, text.replace('#include "posted_intr.h"', '#include "pi.h"'));
      writeFileSync(join(repo, 'logo.bin'), Buffer.from([0, 159, 146, 150, 255, 0, 1]));
      git('add', '-A');
      git('commit', '-q', '-m', 'KVM: VMX: Rename posted_intr.h, add a logo');
      writeFileSync(join(work, 'robust.mbox'), git('format-patch', '--binary', '--stdout', 'HEAD~1'));
    } finally {
      git('checkout', '-q', branch);
    }
    const { code, result } = await review(join(work, 'robust.mbox'), '--kernel', linux61);
    expect(code).toBe(0);
    expect(result.patches[0]?.outside).toEqual(['logo.bin']);
    expect(result.summary.introduced).toBe(0);
    const crlf = join(work, 'series3-crlf.mbox');
    writeFileSync(crlf, readFileSync(join(work, 'series3.mbox'), 'utf8').replace(/\n/g, '\r\n'));
    const [lf, cr] = await Promise.all([review(join(work, 'series3.mbox'), '--kernel', linux61), review(crlf, '--kernel', linux61)]);
    expect(cr.result.summary).toEqual(lf.result.summary);
  });

  it('stylish fits --max-width, and names the patch file of a folder with the line in it', async () => {
    const { stdout } = await run('review', join(work, 'outgoing'), '--kernel', linux61, '--max-width', '80');
    const long = stdout.split('\n').filter((line) => codePoints(line).length > 80);
    // Only words that cannot be cut (a path) may run over.
    expect(long.every((line) => !line.trim().includes(' '))).toBe(true);
    const at = /in the patch:\s+(\S+):(\d+),/.exec(stdout);
    assert(at?.[1] !== undefined && at[2] !== undefined, 'a finding placed in the patch');
    expect(at[1]).toMatch(/outgoing\/0001-KVM-VMX-Initialize-the-per-CPU-loaded-VMCS-lists-aft\.patch$/);
    expect(readFileSync(at[1], 'utf8').split('\n')[Number(at[2]) - 1]).toMatch(/^\+/);
  });
});
