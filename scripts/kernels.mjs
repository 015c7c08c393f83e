#!/usr/bin/env node
// Fetches the kernel trees that tests and benchmarks read: Debian's linux-source-6.1 and
// linux-source-6.12 packages, of which only the KVM directories and the headers they include
// are unpacked, into .cache/kernels/<version>. Prints one path per line. A tree already there
// is kept. Kernel source is test input: it is never committed (.cache/ is ignored).
//
//   node scripts/kernels.mjs            fetch both when missing, print their paths
//   node scripts/kernels.mjs --print    print the paths only, fetch nothing
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_VERSIONS = ['6.1', '6.12'];
export const cacheDir = fileURLToPath(new URL('../.cache/kernels/', import.meta.url));

// What the analysis reads: the generic and arch KVM code, and the headers that declare what
// it calls. Everything else in a 140 MB tarball is left packed.
const MEMBERS = [
  'virt/kvm',
  'arch/*/kvm',
  'arch/*/include/asm/kvm*',
  'include/linux/kvm*',
  'include/kvm',
  'Makefile',
  'Kconfig',
  'MAINTAINERS',
];

export function kernelPath(version) {
  return join(cacheDir, `linux-${version}`);
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr.trim()}`);
  return result.stdout;
}

function download(pkg, dir) {
  try {
    run('apt-get', ['download', pkg], dir);
  } catch (first) {
    // A new machine has no package lists yet; fetch them once and try again.
    process.stderr.write(`kernels: ${pkg} not found, running apt-get update\n`);
    run('apt-get', ['update', '-qq'], dir);
    try {
      run('apt-get', ['download', pkg], dir);
    } catch (second) {
      throw new Error(`cannot download ${pkg}: ${second.message}\n(before apt-get update: ${first.message})`);
    }
  }
  const deb = readdirSync(dir).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${dir}`);
  return join(dir, deb);
}

export function fetchKernel(version) {
  const target = kernelPath(version);
  if (existsSync(join(target, 'virt/kvm/kvm_main.c'))) return target;
  const work = mkdtempSync(join(tmpdir(), `kvm-rules-linux-${version}-`));
  try {
    const pkg = `linux-source-${version}`;
    const deb = download(pkg, work);
    run('dpkg-deb', ['-x', deb, join(work, 'deb')]);
    const tarball = join(work, 'deb/usr/src', `${pkg}.tar.xz`);
    if (!existsSync(tarball)) throw new Error(`${deb} has no usr/src/${pkg}.tar.xz`);
    const unpacked = join(work, 'tree');
    mkdirSync(unpacked);
    const members = MEMBERS.map((member) => `${pkg}/${member}`);
    run('tar', ['-xJf', tarball, '-C', unpacked, '--wildcards', '--no-wildcards-match-slash', ...members]);
    writeFileSync(join(unpacked, pkg, '.kvm-rules-source'), `${deb.split('/').pop()}\n`);
    mkdirSync(cacheDir, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(join(unpacked, pkg), target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const printOnly = process.argv.includes('--print');
  let failed = false;
  for (const version of KERNEL_VERSIONS) {
    try {
      console.log(printOnly ? kernelPath(version) : fetchKernel(version));
    } catch (error) {
      process.stderr.write(`kernels: linux ${version}: ${error.message}\n`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
