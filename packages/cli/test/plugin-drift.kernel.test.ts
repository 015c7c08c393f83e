// plugin-drift is about kvm-rules, not the kernel: at its default severity (warning) it is
// reported in a block of its own after the kernel's findings and never changes the exit code,
// not even with --max-warnings; raised to error (--rule or a config) it fails the check. JSON and
// SARIF keep the drift as findings at that severity. The drift is made by hand: a copy of the
// x86-vmx plugin, under another id, whose phase "vendor-init" names a wrong `undo`, checked
// against the real 6.12 tree (fetched when missing).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Log } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import type { CheckResult } from '../src/formatters/index.js';
import stylish from '../src/formatters/stylish.js';
import { checkJson, run } from './run.js';

let linux612 = '';
let copy = '';
let dir = '';

beforeAll(() => {
  linux612 = fetchKernel('6.12');
  dir = mkdtempSync(join(tmpdir(), 'kvm-rules-drift-'));
  const original = readFileSync(fileURLToPath(new URL('../../plugins/x86-vmx/plugin.yaml', import.meta.url)), 'utf8');
  const edited = original.replace(/^id: x86-vmx$/m, 'id: x86-vmx-copy').replace('undo: kvm_x86_vendor_exit', 'undo: kvm_x86_vendor_cleanup');
  expect(edited).not.toBe(original);
  copy = join(dir, 'plugin.yaml');
  writeFileSync(copy, edited);
}, 300_000);

/** The copy alone, with unwind-on-failure off (the tree's generic kvm_init() error): drift is all there is. */
const onlyDrift = () => ['--kernel', linux612, '--plugin', copy, '--arch', 'x86-vmx-copy', '--rule', 'unwind-on-failure:off'];

describe("plugin-drift does not fail a kernel's check by default", () => {
  it("stylish: exit 0, the drift in its own block after the kernel's findings, and not counted as a problem", async () => {
    const { code, stdout } = await run('check', ...onlyDrift());
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[1]).toMatch(
      /^plugins out of date with this tree \(about kvm-rules, not the kernel: they do not change the exit code; `rules: \{ plugin-drift: error \}` makes them fail\)$/,
    );
    expect(lines[2]).toMatch(
      /^ {2}the x86-vmx-copy plugin is out of date with this tree: 1 difference, see `kvm-rules deps --kernel \S+ --plugin … --arch x86-vmx-copy`$/,
    );
    expect(lines[3]).toMatch(/^ {4}warning {2}phase "vendor-init" declares `undo: kvm_x86_vendor_cleanup`, .* {2}plugin-drift$/);
    // No arch heading of its own: the drift is not a finding about the kernel's x86-vmx-copy.
    expect(lines).not.toContain('x86-vmx-copy');
    expect(stdout).toMatch(
      /\n\n✔ no problems: profile kernel-6\.12\.\d+, 1 arch \(x86-vmx-copy\), kernel tree \S+ \(Linux 6\.12\.\d+\); and 1 plugin-drift difference, not counted\n$/,
    );
  });

  it("--max-warnings 0 does not count drift warnings; it still counts the kernel's", async () => {
    expect((await run('check', ...onlyDrift(), '--max-warnings', '0')).code).toBe(0);
    // The tree's generic kvm_init() unwinding error, as a warning: one warning about the kernel beside the drift.
    const both = [...onlyDrift(), '--rule', 'unwind-on-failure:warning'];
    expect((await run('check', ...both, '--max-warnings', '1')).code).toBe(0);
    const tooMany = await run('check', ...both, '--max-warnings', '0');
    expect(tooMany.code).toBe(1);
    expect(tooMany.stdout).toMatch(/✖ 1 problem \(0 errors, 1 warning\): .*; and 1 plugin-drift difference, not counted\n/);
  });

  it('json and sarif keep the drift as a finding at its severity, warning; exit 0', async () => {
    const { code, result } = await checkJson(...onlyDrift());
    expect(code).toBe(0);
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity} ${f.arch}`)).toEqual(['plugin-drift warning x86-vmx-copy']);
    expect(result.summary).toEqual({ errors: 0, warnings: 1 });
    const sarif = await run('check', ...onlyDrift(), '--format', 'sarif');
    expect(sarif.code).toBe(0);
    const log = JSON.parse(sarif.stdout) as Log;
    expect(log.runs[0]!.results?.map((r) => `${r.ruleId} ${r.level}`)).toEqual(['plugin-drift warning']);
  });
});

describe('plugin-drift raised to error fails the check', () => {
  it('with --rule plugin-drift:error: exit 1, counted, and the block says why', async () => {
    const { code, stdout } = await run('check', ...onlyDrift(), '--rule', 'plugin-drift:error');
    expect(code).toBe(1);
    expect(stdout).toContain('plugins out of date with this tree (plugin-drift is configured as error: these fail the check)');
    expect(stdout).toMatch(/ {4}error {4}phase "vendor-init" declares `undo: kvm_x86_vendor_cleanup`/);
    expect(stdout).toMatch(/✖ 1 problem \(1 error, 0 warnings\): /);
  });

  it('with `rules: { plugin-drift: error }` in a config file: exit 1, and error in JSON', async () => {
    const config = join(dir, 'kvm-rules.config.yaml');
    writeFileSync(config, 'rules:\n  plugin-drift: error\n');
    const { code, result } = await checkJson(...onlyDrift(), '--config', config);
    expect(code).toBe(1);
    expect(result.findings.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['plugin-drift error']);
  });
});

describe('stylish on a report read back', () => {
  it('without the rules that ran (a JSON report), drift is known by its rule id', () => {
    const result: CheckResult = {
      profile: 'kernel-6.12.117',
      archs: ['mips'],
      findings: [
        { ruleId: 'kvm-init-last', severity: 'warning', arch: 'mips', profile: 'kernel-6.12.117', message: 'late work' },
        { ruleId: 'plugin-drift', severity: 'warning', arch: 'mips', profile: 'kernel-6.12.117', message: 'phase "x" is declared after "y"' },
      ],
      summary: { errors: 0, warnings: 2 },
      variants: {},
    };
    expect(stylish(result, { color: false, width: 0 })).toBe(
      [
        '',
        'mips',
        '  warning  late work  kvm-init-last',
        '',
        'plugins out of date with this tree (about kvm-rules, not the kernel: they do not change the exit code; `rules: { plugin-drift: error }` makes them fail)',
        '  the mips plugin is out of date with this tree: 1 difference',
        '    warning  phase "x" is declared after "y"  plugin-drift',
        '',
        '✖ 1 problem (0 errors, 1 warning): profile kernel-6.12.117, 1 arch (mips); and 1 plugin-drift difference, not counted',
        '',
      ].join('\n'),
    );
  });
});
