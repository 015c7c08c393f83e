// --format gcc: the lines vim's quickfix, Emacs' compile mode and make read from gcc. The real
// check loads the report into vim's quickfix list (vim must be installed: Debian's `vim`
// package; the tests fail without it, they never skip) on the real 6.12 tree, run from the
// tree's root and from elsewhere, and on the declarations, and looks at every entry.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '@kvm-rules/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import gcc from '../src/formatters/gcc.js';
import type { CheckResult } from '../src/formatters/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));

let linux612 = '';
const temp = mkdtempSync(join(tmpdir(), 'kvm-rules-gcc-'));

beforeAll(() => {
  linux612 = fetchKernel('6.12');
}, 300_000);

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

function kvmRules(cwd: string, ...argv: string[]): string {
  const { status, stdout, stderr } = spawnSync(process.execPath, [bin, 'check', ...argv], { cwd, encoding: 'utf8' });
  if (status !== 0 && status !== 1) throw new Error(`exit ${status}: ${stderr}`);
  return stdout;
}

/** One quickfix entry as vim's getqflist() gives it, with the absolute path of its file. */
interface QuickfixEntry {
  file: string;
  lnum: number;
  col: number;
  valid: number;
  type: string;
  text: string;
}

/**
 * Loads `report` into vim's quickfix list from `cwd` (as `:cgetfile` after running the command
 * there), with vim's default 'errorformat', or with `:compiler gcc`'s.
 */
function quickfix(report: string, cwd: string, compiler?: 'gcc'): QuickfixEntry[] {
  const errors = join(temp, 'errors.txt');
  const list = join(temp, 'quickfix.json');
  writeFileSync(errors, report);
  rmSync(list, { force: true });
  const entries = `map(getqflist(), {_, e -> extend(e, {'file': e.bufnr ? fnamemodify(bufname(e.bufnr), ':p') : ''})})`;
  const commands = [...(compiler ? [`compiler ${compiler}`] : []), `cgetfile ${errors}`, `call writefile([json_encode(${entries})], '${list}')`, 'qa!'];
  const vim = spawnSync('vim', ['-u', 'NONE', '-i', 'NONE', '-N', '-n', '-es', ...commands.flatMap((command) => ['-c', command])], { cwd, encoding: 'utf8' });
  if (vim.error) throw new Error(`vim is needed by this test (Debian: apt-get install vim): ${vim.error.message}`);
  expect(vim.status, vim.stderr).toBe(0);
  return JSON.parse(readFileSync(list, 'utf8')) as QuickfixEntry[];
}

/** What quickfix must list for these findings: each finding, then its related places, each at its file's absolute path. */
function expectedEntries(findings: Finding[], fileOf: (file: string) => string) {
  return findings.flatMap(({ location, ...finding }) => [
    {
      file: location && fileOf(location.file),
      lnum: location?.line,
      col: location?.column,
      text: ` ${finding.severity}: ${finding.message} [${finding.ruleId}]`,
    },
    ...(finding.related ?? []).map((related) => ({
      file: fileOf(related.location.file),
      lnum: related.location.line,
      col: related.location.column,
      text: ` note: ${related.message}`,
    })),
  ]);
}

/** The byte a 1-based byte column points at: gcc's columns, and vim's, count bytes (a tab is one). */
function byteAt(file: string, line: number, column: number): string {
  const text = readFileSync(file).toString('latin1').split('\n')[line - 1]!;
  return text[column - 1] ?? '';
}

describe("check --kernel linux-6.12 --format gcc, loaded into vim's quickfix", () => {
  const places = [
    { name: "run from the tree's root", cwd: () => linux612, kernel: () => '.' },
    { name: 'run from the repository, the tree given as a relative path', cwd: () => root, kernel: () => '.cache/kernels/linux-6.12' },
    { name: 'run from a folder outside the tree', cwd: () => temp, kernel: () => linux612 },
  ];

  it.each(places)(
    '$name: one valid entry per finding and per note, each on its file, line and column',
    ({ cwd, kernel }) => {
      const { findings } = JSON.parse(kvmRules(cwd(), '--kernel', kernel(), '--format', 'json')) as CheckResult;
      expect(findings.length).toBeGreaterThan(0);
      const report = kvmRules(cwd(), '--kernel', kernel(), '--format', 'gcc');
      const entries = quickfix(report, cwd());
      const expected = expectedEntries(findings, (file) => join(linux612, file));
      expect(entries.every((entry) => entry.valid === 1)).toBe(true);
      expect(entries.map(({ file, lnum, col, text }) => ({ file, lnum, col, text }))).toEqual(expected);
      // Each place is where the code is (column 1 says the whole line, as for a Kconfig entry):
      // a column counted otherwise than in bytes would land the cursor in the indentation.
      const inCode = entries.filter((entry) => entry.col > 1);
      expect(inCode.length).toBeGreaterThan(entries.length / 2);
      for (const entry of inCode) expect(byteAt(entry.file, entry.lnum, entry.col), `${entry.file}:${entry.lnum}:${entry.col}`).toMatch(/\S/);
    },
    120_000,
  );

  it("from the tree's root, the paths are the findings' own (relative to the root), as in every other format", () => {
    const { findings } = JSON.parse(kvmRules(linux612, '--kernel', '.', '--format', 'json')) as CheckResult;
    const report = kvmRules(linux612, '--kernel', '.', '--format', 'gcc');
    const files = report
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(':')[0]);
    expect(files).toEqual(findings.flatMap((f) => [f.location?.file, ...(f.related ?? []).map((r) => r.location.file)]));
  }, 120_000);

  it('with `:compiler gcc`, errors and warnings get their type and notes none', () => {
    const { findings } = JSON.parse(kvmRules(linux612, '--kernel', '.', '--format', 'json')) as CheckResult;
    const entries = quickfix(kvmRules(linux612, '--kernel', '.', '--format', 'gcc'), linux612, 'gcc');
    expect(findings.some((f) => f.severity === 'error') && findings.some((f) => f.severity === 'warning')).toBe(true);
    expect(entries.map((entry) => entry.type)).toEqual(findings.flatMap((f) => [f.severity[0], ...(f.related ?? []).map(() => '')]));
    expect(entries.every((entry) => entry.valid === 1)).toBe(true);
  }, 120_000);
});

describe('check --profile tdx-v7 --format gcc (the declarations)', () => {
  it('points into the plugin and profile files, relative to the working directory', () => {
    const { findings } = JSON.parse(kvmRules(root, '--profile', 'tdx-v7', '--format', 'json')) as CheckResult;
    const entries = quickfix(kvmRules(root, '--profile', 'tdx-v7', '--format', 'gcc'), root);
    expect(entries.map(({ file, lnum, col, text }) => ({ file, lnum, col, text }))).toEqual(expectedEntries(findings, (file) => resolve(root, file)));
    expect(entries.map((entry) => entry.file)).toContain(join(root, 'packages/plugins/mips/plugin.yaml'));
  });
});

describe('the gcc formatter', () => {
  const result = (findings: Finding[], kernel?: string): CheckResult => ({
    profile: 'kernel-6.12.117',
    archs: ['mips'],
    findings,
    summary: { errors: findings.filter((f) => f.severity === 'error').length, warnings: findings.filter((f) => f.severity === 'warning').length },
    variants: {},
    ...(kernel ? { kernel: { root: kernel, version: '6.12.117' } } : {}),
  });
  const finding: Finding = { ruleId: 'integrity', severity: 'error', arch: 'mips', profile: 'kernel-6.12.117', message: 'the check as a whole' };

  it('a finding without a place is said as gcc says its own errors, `PROGRAM: error: …`; vim lists it, not as a place to jump to', () => {
    const report = gcc(result([finding, { ...finding, severity: 'warning', message: 'two\nlines', ruleId: 'plugin-drift' }]), { color: false });
    expect(report).toBe('kvm-rules: error: the check as a whole [integrity]\nkvm-rules: warning: two lines [plugin-drift]\n');
    const entries = quickfix(report, temp);
    expect(entries.map((entry) => [entry.valid, entry.text])).toEqual([
      [0, 'kvm-rules: error: the check as a whole [integrity]'],
      [0, 'kvm-rules: warning: two lines [plugin-drift]'],
    ]);
  });

  it('with --kernel, a related place in a file of this project stays relative to the working directory; an absolute path stays absolute', () => {
    const tree = join(temp, 'tree');
    mkdirSync(join(tree, 'arch/mips/kvm'), { recursive: true });
    writeFileSync(join(tree, 'arch/mips/kvm/mips.c'), 'int x;\n');
    const located: Finding = {
      ...finding,
      location: { file: 'arch/mips/kvm/mips.c', line: 1, column: 5 },
      related: [
        { message: 'declared here', location: { file: 'package.json', line: 2, column: 3 } },
        { message: 'and\r\nhere', location: { file: '/etc/hostname', line: 1, column: 1 } },
      ],
    };
    expect(gcc(result([located], tree), { color: false }).split('\n')).toEqual([
      `${join(tree, 'arch/mips/kvm/mips.c')}:1:5: error: the check as a whole [integrity]`,
      'package.json:2:3: note: declared here',
      '/etc/hostname:1:1: note: and here',
      '',
    ]);
  });

  it('prints nothing when there is nothing to report', () => {
    expect(gcc(result([]), { color: false })).toBe('');
  });
});
