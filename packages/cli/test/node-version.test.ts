// The installed command on a Node.js older than `engines` asks for: one sentence and exit 2,
// before any module the program needs is loaded (their syntax may be too new for it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../bin/kvm-rules.js');
const { engines } = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as { engines: { node: string } };

/** Runs the bin with process.versions.node reading `version`. */
function asNode(version: string) {
  const preload = join(mkdtempSync(join(tmpdir(), 'kvm-rules-node-')), 'version.mjs');
  writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
  return spawnSync(process.execPath, ['--import', preload, bin, '--version'], { encoding: 'utf8' });
}

describe('the bin on an old Node.js', () => {
  it('package.json asks for Node.js 20.19 or newer, as the bin does', () => {
    expect(engines).toEqual({ node: '>=20.19' });
  });

  it('18.19.0: one line naming the version it needs and the one it found, exit 2', () => {
    const { status, stdout, stderr } = asNode('18.19.0');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`kvm-rules: needs Node.js 20.19 or newer; this is Node.js 18.19.0 (${process.execPath})\n`);
  });

  it('20.18.3 is refused, 20.19.0 runs', () => {
    expect(asNode('20.18.3').status).toBe(2);
    const ok = asNode('20.19.0');
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });
});
