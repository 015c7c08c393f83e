#!/usr/bin/env node
// Fetches the kernel trees that tests and benchmarks read: Debian's linux-source-6.1 and
// linux-source-6.12 packages, of which only the KVM directories and the headers they include
// are unpacked, into .cache/kernels/<version>. Prints one path per line. A tree already there
// is kept. Kernel source is test input: it is never committed (.cache/ is ignored).
//
//   node scripts/kernels.mjs            fetch both when missing, print their paths (on a
//                                       terminal, stderr shows the download and unpacking)
//   node scripts/kernels.mjs --print    print the paths only, fetch nothing
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_VERSIONS = ['6.1', '6.12'];
export const cacheDir = fileURLToPath(new URL('../.cache/kernels/', import.meta.url));

// What the analysis reads: the generic and arch KVM code, and the headers that declare what
// it calls. Everything else in a 140 MB tarball is left packed.
const MEMBERS = ['virt/kvm', 'arch/*/kvm', 'arch/*/include/asm/kvm*', 'include/linux/kvm*', 'include/kvm', 'Makefile', 'Kconfig', 'MAINTAINERS'];

export function kernelPath(version) {
  return join(cacheDir, `linux-${version}`);
}

// Fetching a tree is a sequence of commands, written once as a generator of steps: fetchKernel()
// runs them one after the other (tests and benchmarks call it), fetchKernelShowing() runs them
// as child processes and, meanwhile, says on a terminal how far each has got. A step is
// { command, args, cwd, stdin: a file fed to the command, progress: { label, done(), total } };
// what the command printed comes back from yield, and a command that fails is thrown in there.
function* fetchSteps(version, work) {
  const pkg = `linux-source-${version}`;
  const label = `linux ${version}: downloading ${pkg}`;
  // The .deb's size, for the percentage; none when the package lists are empty.
  let size;
  try {
    size = Number(/^Size: (\d+)$/m.exec(yield { command: 'apt-cache', args: ['show', '--no-all-versions', pkg] })?.[1]) || undefined;
  } catch {
    size = undefined;
  }
  const downloaded = () => sizeOf(work, (name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
  const download = { command: 'apt-get', args: ['download', pkg], cwd: work, progress: { label, done: downloaded, total: size } };
  try {
    yield download;
  } catch (first) {
    // A new machine has no package lists yet; fetch them once and try again.
    yield { note: `kernels: ${pkg} not found, running apt-get update\n` };
    yield { command: 'apt-get', args: ['update', '-qq'], cwd: work, progress: { label: `linux ${version}: apt-get update` } };
    try {
      yield download;
    } catch (second) {
      throw new Error(`cannot download ${pkg}: ${second.message}\n(before apt-get update: ${first.message})`);
    }
  }
  const debName = readdirSync(work).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
  if (!debName) throw new Error(`apt-get download ${pkg} left no .deb in ${work}`);
  const deb = join(work, debName);
  const tarball = join(work, 'deb/usr/src', `${pkg}.tar.xz`);
  // The .deb holds the tarball as it is: its size is about the .deb's.
  yield {
    command: 'dpkg-deb',
    args: ['-x', deb, join(work, 'deb')],
    progress: {
      label: `linux ${version}: unpacking ${debName}`,
      done: () => sizeOf(dirname(tarball), (name) => name === basename(tarball)),
      total: statSync(deb).size,
    },
  };
  if (!existsSync(tarball)) throw new Error(`${deb} has no usr/src/${pkg}.tar.xz`);
  const unpacked = join(work, 'tree');
  mkdirSync(unpacked);
  const members = MEMBERS.map((member) => `${pkg}/${member}`);
  // The tarball is fed on stdin, so that how much of it tar has read is known.
  yield {
    command: 'tar',
    args: ['-xJf', '-', '-C', unpacked, '--wildcards', '--no-wildcards-match-slash', ...members],
    stdin: tarball,
    progress: { label: `linux ${version}: unpacking the KVM sources from ${pkg}.tar.xz`, total: statSync(tarball).size },
  };
  writeFileSync(join(unpacked, pkg, '.kvm-rules-source'), `${debName}\n`);
  return join(unpacked, pkg);
}

function sizeOf(dir, wanted) {
  try {
    return readdirSync(dir)
      .filter(wanted)
      .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

function failure(step, status, stderr) {
  return new Error(`${step.command} ${step.args.join(' ')} exited ${status}:\n${stderr.trim()}`);
}

function runSync(step) {
  const stdin = step.stdin === undefined ? 'ignore' : openSync(step.stdin, 'r');
  try {
    const result = spawnSync(step.command, step.args, { cwd: step.cwd, encoding: 'utf8', stdio: [stdin, 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    if (result.error) throw new Error(`${step.command}: ${result.error.message}`);
    if (result.status !== 0) throw failure(step, result.status, result.stderr);
    return result.stdout;
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
  }
}

/** Runs a step as a child process; `fed` counts the bytes of its stdin file it has taken. */
function runAsync(step, fed) {
  return new Promise((resolve, reject) => {
    const child = spawn(step.command, step.args, { cwd: step.cwd, stdio: [step.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.on('error', (error) => reject(new Error(`${step.command}: ${error.message}`)));
    child.on('close', (status) => (status === 0 ? resolve(stdout) : reject(failure(step, status, stderr))));
    if (step.stdin !== undefined) {
      const input = createReadStream(step.stdin);
      input.on('data', (chunk) => (fed.bytes += chunk.length));
      // tar may stop reading early on an error of its own: that is said by its exit status.
      child.stdin.on('error', () => undefined);
      input.pipe(child.stdin);
    }
  });
}

function inWorkDir(version, drive) {
  const target = kernelPath(version);
  if (existsSync(join(target, 'virt/kvm/kvm_main.c'))) return target;
  const work = mkdtempSync(join(tmpdir(), `kvm-rules-linux-${version}-`));
  const install = (tree) => {
    mkdirSync(cacheDir, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(tree, target);
    return target;
  };
  const clean = () => rmSync(work, { recursive: true, force: true });
  let result;
  try {
    result = drive(fetchSteps(version, work));
  } catch (error) {
    clean();
    throw error;
  }
  if (result instanceof Promise) return result.then(install).finally(clean);
  try {
    return install(result);
  } finally {
    clean();
  }
}

/** Fetches one tree unless it is there; returns its path. Prints nothing (but an apt-get update note). */
export function fetchKernel(version) {
  return inWorkDir(version, (steps) => {
    let next = steps.next();
    while (!next.done) {
      const step = next.value;
      if (step.note !== undefined) {
        process.stderr.write(step.note);
        next = steps.next();
        continue;
      }
      let output;
      try {
        output = runSync(step);
      } catch (error) {
        next = steps.throw(error);
        continue;
      }
      next = steps.next(output);
    }
    return next.value;
  });
}

const MB = 1024 * 1024;

/** What the progress line says of a step: its label, and how far it is when that is known. */
export function progressText(label, done, total) {
  if (done === undefined) return `kernels: ${label}`;
  if (!total) return `kernels: ${label}: ${(done / MB).toFixed(1)} MB`;
  const shown = Math.min(done, total);
  return `kernels: ${label}: ${(shown / MB).toFixed(1)} of ${(total / MB).toFixed(1)} MB (${Math.floor((100 * shown) / total)}%)`;
}

/**
 * fetchKernel(), with a line on `write` (a terminal's stderr) that says which step is running
 * and how far it is, rewritten every tenth of a second and cleared at the end. Without a
 * terminal, pass no `write`: nothing is said but what fetchKernel() says.
 */
export async function fetchKernelShowing(version, write) {
  let shown = false;
  const show = (text) => {
    if (!write) return;
    write(`\r\x1b[K${text}`);
    shown = true;
  };
  const clear = () => {
    if (shown) write('\r\x1b[K');
    shown = false;
  };
  try {
    return await inWorkDir(version, async (steps) => {
      let next = steps.next();
      while (!next.done) {
        const step = next.value;
        if (step.note !== undefined) {
          clear();
          process.stderr.write(step.note);
          next = steps.next();
          continue;
        }
        const fed = { bytes: 0 };
        const progress = step.progress;
        const tick = () => progress && show(progressText(progress.label, step.stdin !== undefined ? fed.bytes : progress.done?.(), progress.total));
        tick();
        const timer = progress && write ? setInterval(tick, 100) : undefined;
        let output;
        try {
          output = await runAsync(step, fed);
        } catch (error) {
          next = steps.throw(error);
          continue;
        } finally {
          clearInterval(timer);
        }
        next = steps.next(output);
      }
      return next.value;
    });
  } finally {
    clear();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const printOnly = process.argv.includes('--print');
  // On a terminal, stderr shows how far the download and the unpacking are; in a pipe, nothing.
  const write = process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined;
  let failed = false;
  for (const version of KERNEL_VERSIONS) {
    try {
      console.log(printOnly ? kernelPath(version) : await fetchKernelShowing(version, write));
    } catch (error) {
      process.stderr.write(`kernels: linux ${version}: ${error.message}\n`);
      failed = true;
    }
  }
  process.exit(failed ? 1 : 0);
}
