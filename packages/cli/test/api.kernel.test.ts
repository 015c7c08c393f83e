// docs/api.md's example, run as a user runs it (node docs/examples/errors-in-tree.mjs TREE ARCH)
// on the real 6.12 tree: its lines are the errors `check --kernel` reports, found through the
// same Checker.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { Checker, createChecker } from '../src/index.js';
import { checkJson } from './run.js';

const example = fileURLToPath(new URL('../../../docs/examples/errors-in-tree.mjs', import.meta.url));
let linux612 = '';

beforeAll(() => {
  linux612 = fetchKernel('6.12');
}, 300_000);

describe('docs/api.md', () => {
  it('the example prints the errors check --kernel reports, and exits 1 on them', async () => {
    const run = spawnSync(process.execPath, [example, linux612, 'riscv', 'powerpc'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { result } = await checkJson('--kernel', linux612, '--arch', 'riscv', '--arch', 'powerpc');
    const errors = result.findings.filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(run.stdout.split('\n').filter(Boolean)).toEqual([
      ...errors.map((f) => `${f.location?.file}:${f.location?.line}: ${f.arch}: ${f.message} [${f.ruleId}]`),
      `Linux ${result.kernel?.version ?? '(no tree)'}: ${errors.length} errors`,
    ]);
    expect(run.status).toBe(1);
  });

  it("createChecker() is a Checker whose declared check is the command's", async () => {
    const checker = await createChecker({ archs: ['x86-vmx'] });
    expect(checker).toBeInstanceOf(Checker);
    const outcome = await checker.check({ profile: 'v6.12' });
    const { result } = await checkJson('--profile', 'v6.12', '--arch', 'x86-vmx');
    expect(outcome.findings).toEqual(result.findings);
    expect(outcome.plugins.map((p) => p.id)).toEqual(result.archs);
  });
});
