// Standard output as the bin meets it: a report that cannot be written (a full device, a reader
// that went away) is one line and exit 2, never a stack trace or the check's own exit code; a
// report that can be is written whole before the process ends with the check's exit code.
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../scripts/fuzz/harness.mjs';

const bin = join(import.meta.dirname, '../bin/kvm-rules.js');
const check = ['check', '--profile', 'v6.12', '--format', 'html'];
const run = { cwd: tmpdir(), timeout: 30_000 };

/** Runs the bin with a reader slower than the writer: the pipe fills, and the writer must wait, not cut. */
function readSlowly(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (out.length === 1) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 300);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('close', (code) => {
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe('standard output', () => {
  it('on a full device: one line saying so, exit 2', async () => {
    const full = await runCli(check, { ...run, stdout: 'dev-full' });
    expect(full.stderr).toBe('kvm-rules: cannot write to standard output: ENOSPC: no space left on device, write\n');
    expect(full.code).toBe(2);
  });

  it('whose reader went away: one line saying so, exit 2', async () => {
    const gone = await runCli(check, { ...run, stdout: 'gone' });
    expect(gone.stderr).toBe('kvm-rules: cannot write to standard output: write EPIPE\n');
    expect(gone.code).toBe(2);
  });

  it('read slowly: the whole report, then the exit code of the check', async () => {
    const alone = spawnSync(process.execPath, [bin, ...check], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(alone.stdout.length).toBeGreaterThan(65_536);
    const slow = await readSlowly(check);
    expect(slow.stderr).toBe('');
    expect(slow.code).toBe(alone.status);
    expect(slow.stdout).toBe(alone.stdout);
  });
});
