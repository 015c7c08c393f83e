// --write-baseline and --baseline on the real 6.12 tree: known findings stay quiet through
// unrelated line shifts, new ones are reported, and entries that no longer match are listed.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { checkJson, run } from './run.js';

let linux612 = '';
const temp = () => mkdtempSync(join(tmpdir(), 'kvm-rules-baseline-'));

beforeAll(() => {
  linux612 = fetchKernel('6.12');
}, 300_000);

const check = checkJson;

describe('baselines', () => {
  it('a baseline written from a run silences that run; the same findings after a line shift stay silent', async () => {
    const baseline = join(temp(), 'kvm-rules.baseline.json');
    const written = await check('--kernel', linux612, '--write-baseline', baseline);
    expect(written.code).toBe(0);
    expect(written.result.findings).toEqual([]);
    const entries = (JSON.parse(readFileSync(baseline, 'utf8')) as { findings: unknown[] }).findings;
    expect(written.result.baseline?.suppressed).toBe(entries.length);
    expect(entries.length).toBeGreaterThan(0);

    // Three lines added at the top of e500.c move its findings down; their fingerprints stay.
    const tree = join(temp(), 'linux');
    cpSync(linux612, tree, { recursive: true });
    const e500 = join(tree, 'arch/powerpc/kvm/e500.c');
    writeFileSync(e500, `/* one */\n/* two */\n/* three */\n${readFileSync(e500, 'utf8')}`);
    const shifted = await check('--kernel', tree, '--baseline', baseline);
    expect(shifted.code).toBe(0);
    expect(shifted.result.findings).toEqual([]);
    expect(shifted.result.baseline).toMatchObject({ suppressed: entries.length, stale: [] });
  });

  it('a finding the baseline does not know is reported; an entry no finding matches is listed', async () => {
    const baseline = join(temp(), 'baseline.json');
    await check('--kernel', linux612, '--write-baseline', baseline);
    const file = JSON.parse(readFileSync(baseline, 'utf8')) as { findings: { ruleId: string; fingerprint: string }[] };
    const errorEntry = file.findings.findIndex((entry) => entry.ruleId === 'unwind-on-failure');
    file.findings.splice(errorEntry, 1);
    file.findings.push({ fingerprint: '0'.repeat(64), ruleId: 'kvm-init-last', arch: 'mips', message: 'fixed long ago' } as never);
    writeFileSync(baseline, JSON.stringify(file));
    const { code, result } = await check('--kernel', linux612, '--baseline', baseline);
    expect(code).toBe(1);
    expect(result.findings.map((f) => `${f.ruleId} ${f.arch}`)).toEqual(['unwind-on-failure generic']);
    expect(result.baseline?.stale).toEqual([{ fingerprint: '0'.repeat(64), ruleId: 'kvm-init-last', arch: 'mips', message: 'fixed long ago' }]);
    const stylish = await run('check', '--kernel', linux612, '--baseline', baseline, '--no-color');
    expect(stylish.stdout).toContain('1 baseline entry no longer matches a finding; remove it from');
  });

  it('a baseline file that is not one is bad input: exit 2 and one line', async () => {
    const baseline = join(temp(), 'baseline.json');
    writeFileSync(baseline, '{ "kvmRulesBaseline": 1, "findings": [ { "ruleId": "x" } ] }\n');
    const { code, stderr } = await run('check', '--baseline', baseline);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/baseline\.json:1:\d+: \/findings\/0: missing required key "fingerprint"/);
  });
});
