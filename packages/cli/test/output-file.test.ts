// The files a run writes (-o, --write-baseline) are written whole or not at all, only ever as
// regular files, and a path that cannot be written is one line with exit 2.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

const dir = () => mkdtempSync(join(tmpdir(), 'kvm-rules-out-'));

describe('-o and --write-baseline', () => {
  it('a path under a regular file: one line naming the option, the file and the reason, exit 2', async () => {
    const parent = join(dir(), 'file');
    writeFileSync(parent, 'a file, not a folder\n');
    const report = await run('check', '--profile', 'v6.12', '-o', join(parent, 'report.txt'));
    expect(report.code).toBe(2);
    expect(report.stderr).toBe(`kvm-rules: --output-file: cannot write ${join(parent, 'report.txt')} (ENOTDIR)\n`);
    const baseline = await run('check', '--profile', 'v6.12', '--write-baseline', join(parent, 'baseline.json'));
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toBe(`kvm-rules: --write-baseline: cannot write ${join(parent, 'baseline.json')} (ENOTDIR)\n`);
  });

  it('something that is not a regular file (a FIFO) is never opened, removed or replaced', async () => {
    const fifo = join(dir(), 'report');
    execFileSync('mkfifo', [fifo]);
    const { code, stderr } = await run('check', '--profile', 'v6.12', '-o', fifo);
    expect(code).toBe(2);
    expect(stderr).toBe(`kvm-rules: --output-file: ${fifo} is not a regular file; give a file to write the report to\n`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  }, 30_000);

  it("a run that fails does not leave the last run's report behind, and no temporary file stays", async () => {
    const folder = dir();
    const report = join(folder, 'report.txt');
    expect((await run('check', '--profile', 'v6.12', '-o', report)).code).toBeLessThan(2);
    expect(readFileSync(report, 'utf8')).toContain('profile v6.12');
    const failed = await run('check', '--profile', 'no-such-profile', '-o', report);
    expect(failed.code).toBe(2);
    expect(existsSync(report)).toBe(false);
    expect(readdirSync(folder)).toEqual([]);
  });
});
