// scripts/kernels.mjs (npm run kernels): in a pipe it prints the trees' paths and nothing else;
// on a terminal, one line on stderr says which step runs and how far it is.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fetchKernel, kernelPath, KERNEL_VERSIONS, progressText } from '../../../scripts/kernels.mjs';

const script = fileURLToPath(new URL('../../../scripts/kernels.mjs', import.meta.url));

describe('npm run kernels', () => {
  it('in a pipe: one path a line on stdout, nothing on stderr', () => {
    for (const version of KERNEL_VERSIONS) fetchKernel(version);
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: KERNEL_VERSIONS.map((v) => `${kernelPath(v)}\n`).join('') });
  });

  it('the progress line: the step, and how far it is when that is known', () => {
    const MB = 1024 * 1024;
    expect(progressText('linux 6.12: apt-get update', undefined, undefined)).toBe('kernels: linux 6.12: apt-get update');
    expect(progressText('linux 6.12: downloading linux-source-6.12', 52.25 * MB, 146.4 * MB)).toBe(
      'kernels: linux 6.12: downloading linux-source-6.12: 52.3 of 146.4 MB (35%)',
    );
    // No size known (empty package lists): the bytes so far.
    expect(progressText('linux 6.1: downloading linux-source-6.1', 3 * MB, undefined)).toBe('kernels: linux 6.1: downloading linux-source-6.1: 3.0 MB');
    // An estimate passed (the tarball is about the .deb's size) never says more than 100%.
    expect(progressText('linux 6.1: unpacking x.deb', 140 * MB, 132.9 * MB)).toBe('kernels: linux 6.1: unpacking x.deb: 132.9 of 132.9 MB (100%)');
  });
});
