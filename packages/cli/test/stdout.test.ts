// Standard output as the bin meets it: a report that cannot be written (a full device, a reader
// that went away) is one line and exit 2, never a stack trace or the check's own exit code; a
// report that can be is written whole before the process ends with the check's exit code.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../bin/kvm-rules.js');
const check = ['check', '--profile', 'v6.12', '--format', 'html'];

/** Runs the bin with standard output on a pipe; `gone`: the pipe's reader closes it before anything is written. */
function runOnPipe(args: string[], { gone = false, slow = false } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (gone) child.stdout.destroy();
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      // A reader slower than the writer: the pipe fills, and the writer must wait, not cut.
      if (slow && out.length === 1) {
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
  it('on a full device: one line saying so, exit 2', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const run = spawnSync(process.execPath, [bin, ...check], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect(run.stderr).toBe('kvm-rules: cannot write to standard output: ENOSPC: no space left on device, write\n');
      expect(run.status).toBe(2);
    } finally {
      closeSync(full);
    }
  });

  it('whose reader went away: one line saying so, exit 2', async () => {
    const run = await runOnPipe(check, { gone: true });
    expect(run.stderr).toBe('kvm-rules: cannot write to standard output: write EPIPE\n');
    expect(run.code).toBe(2);
  });

  it('read slowly: the whole report, then the exit code of the check', async () => {
    const alone = spawnSync(process.execPath, [bin, ...check], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(alone.stdout.length).toBeGreaterThan(65_536);
    const run = await runOnPipe(check, { slow: true });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(alone.status);
    expect(run.stdout).toBe(alone.stdout);
  });
});
