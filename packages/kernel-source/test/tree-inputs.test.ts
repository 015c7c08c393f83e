// What the tree gives in place of a source file: a symlink to /dev/zero, a FIFO, a directory, a
// dangling symlink, a file too large to be source. None is ever opened or read without end: a
// file the analysis needs is a source-unreadable error naming it, and a tree whose
// virt/kvm/kvm_main.c is not a readable regular file is no kernel tree (exit 2, one line).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@kvm-rules/core';
import { describe, expect, it } from 'vitest';
import { KernelTree } from '../src/index.js';
import { brief, checkKernel, copyFixture, runCli, treeWith } from './helpers.js';

function mkfifo(path: string): void {
  // stderr is null when mkfifo could not start (its type says Buffer).
  const result: { status: number | null; stderr: Buffer | null; error?: Error } = spawnSync('mkfifo', [path]);
  if (result.status !== 0) throw new Error(`mkfifo ${path}: ${result.stderr?.toString() ?? result.error?.message ?? 'failed'}`);
}

/** The ordered fixture with arch/demom/kvm/vz.c replaced by what `make` puts there. */
async function orderedWithVz(make: (path: string) => void) {
  const dir = copyFixture('ordered');
  const vz = join(dir, 'arch/demom/kvm/vz.c');
  rmSync(vz);
  make(vz);
  const { findings } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-mips'] });
  return findings.filter((f) => f.ruleId === 'source-unreadable').map((f) => `${brief(f)} ${f.message}`);
}

describe('a source file that is not a regular file is never read', () => {
  it('a .c file that is a symlink to /dev/zero is a source-unreadable error, read not at all', { timeout: 20_000 }, async () => {
    expect(
      await orderedWithVz((vz) => {
        symlinkSync('/dev/zero', vz);
      }),
    ).toEqual(['source-unreadable demo-mips error arch/demom/kvm/vz.c:1:1 arch/demom/kvm/vz.c is a character device, not a regular file']);
  });

  it('a FIFO in place of a .c file is a source-unreadable error, without waiting for a writer', { timeout: 20_000 }, async () => {
    expect(await orderedWithVz(mkfifo)).toEqual([
      'source-unreadable demo-mips error arch/demom/kvm/vz.c:1:1 arch/demom/kvm/vz.c is a FIFO, not a regular file',
    ]);
  });

  it('a directory named like a .c file is a source-unreadable error saying so', { timeout: 20_000 }, async () => {
    expect(
      await orderedWithVz((vz) => {
        mkdirSync(vz);
      }),
    ).toEqual(['source-unreadable demo-mips error arch/demom/kvm/vz.c:1:1 arch/demom/kvm/vz.c is a directory, not a regular file']);
  });

  it('a .c file larger than 16 MB is a source-unreadable error, not read', { timeout: 20_000 }, async () => {
    const findings = await orderedWithVz((vz) => {
      writeFileSync(vz, '');
      truncateSync(vz, 17 * 1024 * 1024);
    });
    expect(findings).toEqual(['source-unreadable demo-mips error arch/demom/kvm/vz.c:1:1 arch/demom/kvm/vz.c is larger than 16 MB: not read as source']);
  });

  it('index() of a FIFO or /dev/zero gives an empty index and one diagnostic each', { timeout: 20_000 }, () => {
    const dir = treeWith({ 'virt/kvm/kvm_main.c': 'int kvm_init(void)\n{\n\treturn 0;\n}\n' });
    mkfifo(join(dir, 'virt/kvm/fifo.c'));
    symlinkSync('/dev/zero', join(dir, 'virt/kvm/zero.c'));
    const tree = KernelTree.open(dir);
    expect(tree.index('virt/kvm/fifo.c').functions).toEqual([]);
    expect(tree.index('virt/kvm/zero.c').text).toBe('');
    expect(tree.index('virt/kvm/kvm_main.c').functions.map((f) => f.name)).toEqual(['kvm_init']);
    expect(tree.diagnostics.map((d) => `${d.place.file}:${d.place.line}:${d.place.column} ${d.severity} ${d.message}`)).toEqual([
      'virt/kvm/fifo.c:1:1 error virt/kvm/fifo.c is a FIFO, not a regular file',
      'virt/kvm/zero.c:1:1 error virt/kvm/zero.c is a character device, not a regular file',
    ]);
    // Neither is an input whose content a cache would hash.
    expect(Object.keys(tree.inputs).filter((p) => p.endsWith('fifo.c') || p.endsWith('zero.c'))).toEqual([]);
  });

  it('a Kconfig that is a FIFO is read as absent, with a warning, never waited on', { timeout: 20_000 }, () => {
    const dir = treeWith({ 'virt/kvm/kvm_main.c': '' });
    mkfifo(join(dir, 'virt/kvm/Kconfig'));
    const tree = KernelTree.open(dir);
    expect(tree.readText('virt/kvm/Kconfig')).toBeUndefined();
    expect(tree.readText('virt/kvm/Makefile')).toBeUndefined();
    expect(tree.diagnostics.map((d) => `${d.severity} ${d.message}`)).toEqual(['warning virt/kvm/Kconfig is a FIFO, not a regular file']);
  });
});

describe('files read one after another into one buffer', () => {
  it('a file read after a larger one has its own bytes only, its own hash, and its own UTF-8 verdict', () => {
    const large = `int large(void)\n{\n${'\treturn 0;\n'.repeat(5000)}}\n`;
    const small = 'int small(void)\n{\n\treturn 1;\n}\n';
    const dir = treeWith({
      'virt/kvm/kvm_main.c': large,
      'virt/kvm/small.c': small,
      'virt/kvm/latin1.c': Buffer.from('int f(void)\n{\n\treturn 0; /* caf\xe9 */\n}\n', 'latin1'),
      'virt/kvm/after.c': small,
    });
    const tree = KernelTree.open(dir);
    expect(tree.index('virt/kvm/kvm_main.c').text).toBe(large);
    expect(tree.index('virt/kvm/small.c').text).toBe(small);
    expect(tree.index('virt/kvm/latin1.c').text).toBe('');
    expect(tree.index('virt/kvm/after.c').functions.map((f) => f.name)).toEqual(['small']);
    expect(tree.diagnostics.map((d) => d.message)).toEqual(['virt/kvm/latin1.c is not UTF-8 text (first bad byte on line 3)']);
    expect(tree.inputs[join(dir, 'virt/kvm/small.c')]).toBe(tree.inputs[join(dir, 'virt/kvm/after.c')]);
    expect(tree.inputs[join(dir, 'virt/kvm/small.c')]).toBe(createHash('sha256').update(small).digest('hex'));
  });
});

describe('virt/kvm/kvm_main.c that is not a readable regular file: not a kernel tree', () => {
  const cases: [string, (path: string) => void, string][] = [
    [
      'a dangling symlink',
      (path) => {
        symlinkSync('no-such-file.c', path);
      },
      'virt/kvm/kvm_main.c is a dangling symlink',
    ],
    [
      'a directory',
      (path) => {
        mkdirSync(path);
      },
      'virt/kvm/kvm_main.c is a directory, not a regular file',
    ],
  ];

  it.each(cases)('as %s, check --kernel exits 2 with one line naming it and why', { timeout: 30_000 }, (_, make, why) => {
    const dir = treeWith({ 'virt/kvm/README': 'no kvm_main.c\n' });
    make(join(dir, 'virt/kvm/kvm_main.c'));
    const { status, stdout, stderr } = runCli('check', '--kernel', dir, '--arch', 'x86-vmx', '--format', 'json');
    expect(stdout).toBe('');
    expect(stderr).toBe(`kvm-rules: --kernel: ${dir} is not a Linux kernel tree (${why})\n`);
    expect(status).toBe(2);
  });

  it('as a FIFO, KernelTree.open() says so without opening it', { timeout: 20_000 }, () => {
    const dir = treeWith({ 'virt/kvm/README': 'no kvm_main.c\n' });
    mkfifo(join(dir, 'virt/kvm/kvm_main.c'));
    expect(() => KernelTree.open(dir)).toThrow(
      new InputError(`--kernel: ${dir} is not a Linux kernel tree (virt/kvm/kvm_main.c is a FIFO, not a regular file)`),
    );
  });

  it('what is missing and what is wrong are said together', () => {
    const dir = treeWith({ 'virt/kvm/README': 'no kvm_main.c\n' });
    mkdirSync(join(dir, 'virt/kvm/kvm_main.c'));
    rmSync(join(dir, 'arch'), { recursive: true });
    writeFileSync(join(dir, 'arch'), '');
    expect(() => KernelTree.open(dir)).toThrow(
      new InputError(
        `--kernel: ${dir} is not a Linux kernel tree (virt/kvm/kvm_main.c is a directory, not a regular file; arch is a regular file, not a directory)`,
      ),
    );
    rmSync(join(dir, 'arch'));
    expect(() => KernelTree.open(dir)).toThrow(
      new InputError(`--kernel: ${dir} is not a Linux kernel tree (missing arch; virt/kvm/kvm_main.c is a directory, not a regular file)`),
    );
  });
});
