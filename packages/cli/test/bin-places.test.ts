// The installed command from odd places: through a symlink (as npm links bins, and as a user's
// ~/bin link does), from a working directory that is not the package's, and under NO_COLOR.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../bin/kvm-rules.js');

describe('the bin through a symlink, from elsewhere', () => {
  it('runs as the bin itself does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-link-'));
    const link = join(dir, 'kvm-rules');
    symlinkSync(bin, link);
    const args = ['check', '--profile', 'v6.12', '--arch', 'mips', '--format', 'json'];
    const direct = spawnSync(process.execPath, [bin, ...args], { cwd: tmpdir(), encoding: 'utf8' });
    const linked = spawnSync(link, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(linked.stderr).toBe('');
    expect(linked.status).toBe(direct.status);
    expect(linked.stdout).toBe(direct.stdout);
  });
});
