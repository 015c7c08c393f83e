// The installed command at a terminal and in a pipe: color as NO_COLOR, FORCE_COLOR and
// --no-color say, and lines fitted to the terminal's width, to 80 columns in a pipe or a file,
// or to --max-width. A terminal is a pseudo-terminal from `script` (util-linux; Debian's
// bsdutils, which every Debian has): the tests fail without it, they never skip. Width checks
// run on the real 6.12 and 6.1 trees (fetched by scripts/kernels.mjs when missing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { columns } from '../src/formatters/wrap.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));
const ANSI = /\u001b\[[0-9;]*m/;
const temp = mkdtempSync(join(tmpdir(), 'kvm-rules-terminal-'));

const trees: Record<string, string> = {};

beforeAll(() => {
  for (const version of ['6.12', '6.1']) trees[version] = fetchKernel(version);
}, 600_000);

afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
});

/** The environment without what would decide color or width for us. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const deciding = ['NO_COLOR', 'FORCE_COLOR', 'CI', 'TERM', 'COLUMNS'];
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !deciding.includes(name)));
  return { ...env, TERM: 'xterm-256color', ...extra };
}

/** kvm-rules with stdout a pipe. */
function piped(argv: string[], env: Record<string, string> = {}): string {
  const { status, stdout, stderr } = spawnSync(process.execPath, [bin, ...argv], { cwd: root, encoding: 'utf8', env: environment(env) });
  if (status !== 0 && status !== 1) throw new Error(`exit ${status}: ${stderr}`);
  return stdout;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** kvm-rules with stdout a terminal of `width` columns (stderr is not: no progress line); what it shows, with \n line ends. */
function atTerminal(argv: string[], width: number, env: Record<string, string> = {}): string {
  const command = `stty cols ${width} rows 50 && exec ${[process.execPath, bin, ...argv].map(quote).join(' ')} 2>/dev/null`;
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, encoding: 'utf8', env: environment(env) });
  if (result.error) throw new Error(`script (util-linux; Debian: bsdutils) is needed by this test: ${result.error.message}`);
  if (result.status !== 0 && result.status !== 1) throw new Error(`exit ${result.status}: ${result.stdout}${result.stderr}`);
  return result.stdout.replace(/\r\n/g, '\n');
}

/** Every line is at most `width` columns, but for a line that is one path (after the `at` or `↳` that introduces it). */
function expectFits(text: string, width: number): void {
  for (const line of text.replace(new RegExp(ANSI, 'g'), '').split('\n')) {
    if (columns(line) > width) expect(line.trim(), `${columns(line)} columns: ${line}`).toMatch(/^(?:(?:at|↳) )?\S+$/);
  }
}

const widest = (text: string) => Math.max(...text.split('\n').map(columns));

const declarations = ['check', '--profile', 'tdx-v7', '--arch', 'mips'];

describe('color', () => {
  it('a pipe is not colored; FORCE_COLOR colors it; NO_COLOR and --no-color win over FORCE_COLOR; FORCE_COLOR=0 and CI do not color', () => {
    expect(piped(declarations)).not.toMatch(ANSI);
    expect(piped(declarations, { FORCE_COLOR: '1' })).toMatch(ANSI);
    expect(piped(declarations, { FORCE_COLOR: '1', NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(piped([...declarations, '--no-color'], { FORCE_COLOR: '1' })).not.toMatch(ANSI);
    expect(piped(declarations, { FORCE_COLOR: '0' })).not.toMatch(ANSI);
    expect(piped(declarations, { CI: 'true' })).not.toMatch(ANSI);
    // The colored report is the plain one, painted.
    expect(piped(declarations, { FORCE_COLOR: '1' }).replace(new RegExp(ANSI, 'g'), '')).toBe(piped(declarations));
  });

  it('a terminal is colored, but with NO_COLOR, --no-color, TERM=dumb or FORCE_COLOR=false; an empty NO_COLOR says nothing', () => {
    expect(atTerminal(declarations, 100)).toMatch(ANSI);
    expect(atTerminal(declarations, 100, { NO_COLOR: '' })).toMatch(ANSI);
    expect(atTerminal(declarations, 100, { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(atTerminal([...declarations, '--no-color'], 100)).not.toMatch(ANSI);
    expect(atTerminal(declarations, 100, { TERM: 'dumb' })).not.toMatch(ANSI);
    expect(atTerminal(declarations, 100, { FORCE_COLOR: 'false' })).not.toMatch(ANSI);
  });

  it('json and the other machine formats are never colored, even forced', () => {
    expect(atTerminal([...declarations, '--format', 'json'], 100, { FORCE_COLOR: '1' })).not.toMatch(ANSI);
    expect(piped([...declarations, '--format', 'gcc'], { FORCE_COLOR: '1' })).not.toMatch(ANSI);
  });
});

describe.each(['6.12', '6.1'])('width, on linux-%s', (version) => {
  const check = () => ['check', '--kernel', trees[version]!];
  const deps = () => ['deps', '--kernel', trees[version]!];

  it('in a pipe, check and deps fit 80 columns (COLUMNS is not read): a longer line is one path', () => {
    for (const argv of [check(), deps()]) {
      const out = piped(argv, { COLUMNS: '200' });
      expectFits(out, 80);
      expect(widest(out)).toBeGreaterThan(70);
      expect(piped([...argv, '--max-width', '80'])).toBe(out);
    }
  }, 120_000);

  it('--max-width N fits N columns; 0 fits nothing (one line per message)', () => {
    for (const argv of [check(), deps()]) {
      for (const width of [60, 120]) {
        const out = piped([...argv, '--max-width', String(width)]);
        expectFits(out, width);
        expect(widest(out)).toBeGreaterThan(width - 15);
      }
      expect(widest(piped([...argv, '--max-width', '0']))).toBeGreaterThan(200);
    }
  }, 120_000);
});

describe('width at a terminal', () => {
  it("check and deps fit the terminal's columns; --max-width wins; a report written to a file fits 80", () => {
    const tree = trees['6.12']!;
    for (const argv of [
      ['check', '--kernel', tree],
      ['deps', '--kernel', tree],
    ]) {
      const wide = atTerminal(argv, 120);
      expectFits(wide, 120);
      expect(widest(wide.replace(new RegExp(ANSI, 'g'), ''))).toBeGreaterThan(100);
      expectFits(atTerminal(argv, 50), 50);
      expect(widest(atTerminal([...argv, '--max-width', '0'], 50).replace(new RegExp(ANSI, 'g'), ''))).toBeGreaterThan(200);
    }
    const file = join(temp, 'report.txt');
    atTerminal(['check', '--kernel', tree, '-o', file], 120);
    const report = readFileSync(file, 'utf8');
    expect(report).not.toMatch(ANSI);
    expect(report).toBe(piped(['check', '--kernel', tree]));
  }, 120_000);
});
