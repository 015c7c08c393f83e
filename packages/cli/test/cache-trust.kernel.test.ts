// --cache trusts nothing it reads: a broken cache file is no cache (never a stack trace, never
// another exit code), a cache location that cannot be written is a one-line warning after the
// report, a FIFO or a device given as the location neither hangs the run nor eats memory, and
// a cache entry never says where to write: the output file comes from the command line only.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cached, store } from '../src/cache.js';

const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));
const ARGS = ['check', '--profile', 'v6.12', '--arch', 'mips', '--format', 'json'];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvm-rules-cache-trust-'));
}

/** The bin in `cwd` with the cache at `location`; a run that hangs fails after 30 s instead. */
function check(cwd: string, location: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...ARGS, '--cache', '--cache-location', location, ...args], { encoding: 'utf8', cwd, timeout: 30_000 });
  expect(result.error).toBeUndefined();
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The run without a cache: what every run with a bad cache must give too. */
function plain(cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...ARGS], { encoding: 'utf8', cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

type Entries = Record<string, Record<string, unknown>>;

/** A cache written by a real run, then edited by `edit`. */
function editedCache(cwd: string, file: string, edit: (entries: Entries) => void): void {
  check(cwd, file);
  const data = JSON.parse(readFileSync(file, 'utf8')) as { entries: Entries };
  expect(Object.keys(data.entries)).toHaveLength(1);
  edit(data.entries);
  writeFileSync(file, JSON.stringify(data));
}

describe('--cache: a broken cache file is no cache', () => {
  const cases: [string, (cwd: string, file: string) => void][] = [
    [
      'entries: null',
      (_, file) => {
        writeFileSync(file, '{"kvmRulesCache":1,"entries":null}');
      },
    ],
    [
      'entries: a string',
      (_, file) => {
        writeFileSync(file, '{"kvmRulesCache":1,"entries":"x"}');
      },
    ],
    [
      'an entry with inputs: null',
      (cwd, file) => {
        editedCache(cwd, file, (entries) => {
          Object.values(entries).forEach((e) => (e.inputs = null));
        });
      },
    ],
    [
      'an entry whose output is not a string',
      (cwd, file) => {
        editedCache(cwd, file, (entries) => {
          Object.values(entries).forEach((e) => (e.output = 5));
        });
      },
    ],
    [
      'an entry whose exit code is not a number',
      (cwd, file) => {
        editedCache(cwd, file, (entries) => {
          Object.values(entries).forEach((e) => (e.exitCode = 'zero'));
        });
      },
    ],
    [
      'an entry that is null',
      (cwd, file) => {
        editedCache(cwd, file, (entries) => {
          Object.keys(entries).forEach((key) => (entries[key] = null as never));
        });
      },
    ],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const cwd = tempDir();
      const file = join(cwd, 'cache.json');
      make(cwd, file);
      const expected = plain(cwd);
      const result = check(cwd, file);
      expect(result.stderr).toBe('');
      expect(result).toEqual(expected);
      // The run was done again and kept: the cache is whole again, and answers the next run.
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kvmRulesCache: 1 });
      expect(check(cwd, file)).toEqual(expected);
    });
  }
});

describe('--cache: a location that cannot be used is a warning, never another exit code', () => {
  const cases: [string, (cwd: string) => string][] = [
    ['a path under a file', (cwd) => (writeFileSync(join(cwd, 'file'), ''), join(cwd, 'file', 'cache.json'))],
    ['/dev/full', () => '/dev/full'],
    ['/dev/zero (not read: not a regular file)', () => '/dev/zero'],
    [
      'a FIFO (neither read nor written: no hang)',
      (cwd) => {
        const fifo = join(cwd, 'fifo');
        expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
        return fifo;
      },
    ],
    [
      'a folder whose cache file is a folder',
      (cwd) => {
        mkdirSync(join(cwd, 'dir', 'kvm-rules-cache.json'), { recursive: true });
        return join(cwd, 'dir');
      },
    ],
  ];
  for (const [name, location] of cases) {
    it(name, () => {
      const cwd = tempDir();
      const expected = plain(cwd);
      const result = check(cwd, location(cwd));
      expect(result.code).toBe(expected.code);
      expect(result.stdout).toBe(expected.stdout);
      expect(result.stderr).toMatch(/^kvm-rules: warning: cannot keep the cache in .+\n$/);
    });
  }
});

describe('--cache never says where to write', () => {
  it("an entry's outputFile is not followed: the report goes to stdout, the path is not written", () => {
    const cwd = tempDir();
    const file = join(cwd, 'cache.json');
    const target = join(tempDir(), 'planted.txt');
    editedCache(cwd, file, (entries) => {
      Object.values(entries).forEach((e) => ((e.outputFile = target), (e.output = 'planted\n')));
    });
    const expected = plain(cwd);
    expect(check(cwd, file)).toEqual(expected);
    expect(existsSync(target)).toBe(false);
  });

  it('a hit of a command with --output-file writes the report to that file, as the run did', () => {
    const cwd = tempDir();
    const file = join(cwd, 'cache.json');
    const report = join(cwd, 'report.json');
    const first = check(cwd, file, '--output-file', report);
    expect(first).toEqual({ code: 0, stdout: '', stderr: `kvm-rules: wrote the json report to ${report}: no problems, exit 0\n` });
    const written = readFileSync(report, 'utf8');
    expect(written).toBe(plain(cwd).stdout);
    expect(readFileSync(file, 'utf8')).not.toContain('outputFile');
    rmSync(report);
    expect(check(cwd, file, '--output-file', report)).toEqual(first);
    expect(readFileSync(report, 'utf8')).toBe(written);
    // -o FILE is another command line (another entry), with the same report in the same file.
    rmSync(report);
    expect(check(cwd, file, '-o', report)).toEqual(first);
    // The hit says what the run said: where the report went, and its outcome.
    expect(readFileSync(file, 'utf8')).toContain('"notices":["kvm-rules: wrote the json report to');
    expect(readFileSync(report, 'utf8')).toBe(written);
  });
});

describe('--cache over a plugin folder with odd entries', () => {
  it('a dangling symlink and a symlink loop in a folder given with --plugin are listed, never read or followed forever', () => {
    const cwd = tempDir();
    const plugin = join(cwd, 'mips-copy');
    cpSync(fileURLToPath(new URL('../../plugins/mips', import.meta.url)), plugin, { recursive: true, filter: (source) => !source.includes('node_modules') });
    writeFileSync(join(plugin, 'plugin.yaml'), readFileSync(join(plugin, 'plugin.yaml'), 'utf8').replace(/^id: mips$/m, 'id: mips-copy'));
    const pkg = JSON.parse(readFileSync(join(plugin, 'package.json'), 'utf8')) as { name: string };
    writeFileSync(join(plugin, 'package.json'), JSON.stringify({ ...pkg, name: 'kvm-rules-plugin-mips-copy' }));
    symlinkSync('/nonexistent/plugin-part.yaml', join(plugin, 'dangling.yaml'));
    symlinkSync(plugin, join(plugin, 'loop'));
    const location = join(cwd, 'cache.json');
    const args = ['--plugin', plugin, '--arch', 'mips-copy'];
    const first = spawnSync(process.execPath, [bin, 'check', '--profile', 'v6.12', '--format', 'json', '--cache', '--cache-location', location, ...args], {
      encoding: 'utf8',
      cwd,
      timeout: 30_000,
    });
    const second = spawnSync(process.execPath, [bin, 'check', '--profile', 'v6.12', '--format', 'json', '--cache', '--cache-location', location, ...args], {
      encoding: 'utf8',
      cwd,
      timeout: 30_000,
    });
    for (const run of [first, second]) {
      expect(run.stderr).toBe('');
      expect(run.status).toBeLessThan(2);
    }
    expect(second.stdout).toBe(first.stdout);
  }, 60_000);
});

describe('--cache where the working directory cannot hold it', () => {
  it("the default cache goes to the user's cache directory, with a one-line note, and hits from there", () => {
    const cwd = tempDir();
    const home = tempDir();
    // What a read-only tree does to the default .kvm-rules-cache, in a form that holds for root too.
    mkdirSync(join(cwd, '.kvm-rules-cache', 'kvm-rules-cache.json'), { recursive: true });
    const env = { ...process.env, XDG_CACHE_HOME: home };
    const run = () => spawnSync(process.execPath, [bin, ...ARGS, '--cache'], { encoding: 'utf8', cwd, env, timeout: 30_000 });
    const first = run();
    const fallback = join(home, 'kvm-rules', 'kvm-rules-cache.json');
    expect(first.stderr).toBe(
      `kvm-rules: note: cannot keep the cache in ${join(cwd, '.kvm-rules-cache', 'kvm-rules-cache.json')} (${/\((.+)\); kept in/.exec(first.stderr)?.[1]}); kept in ${fallback}\n`,
    );
    expect(first.stdout).toBe(plain(cwd).stdout);
    expect(Object.keys((JSON.parse(readFileSync(fallback, 'utf8')) as { entries: object }).entries)).toHaveLength(1);
    // A hit prints the kept report and says nothing more: nothing to store.
    const second = run();
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe('');
  });
});

describe('--cache: a report is kept for the way it was drawn', () => {
  it('a colored report is not replayed into a pipe that wants none, nor a plain one where color is forced', () => {
    const cwd = tempDir();
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [bin, 'check', '--profile', 'v6.12', '--arch', 'mips', '--cache'], {
        encoding: 'utf8',
        cwd,
        env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
      });
    const plainRun = run({ NO_COLOR: '1' });
    const colored = run({ FORCE_COLOR: '1' });
    expect(plainRun.stdout).not.toContain('\x1b[');
    expect(colored.stdout).toContain('\x1b[');
    expect(run({ NO_COLOR: '1' }).stdout).toBe(plainRun.stdout);
    expect(run({ FORCE_COLOR: '1' }).stdout).toBe(colored.stdout);
  });

  it('a report fitted to one terminal width is not replayed on another', () => {
    const cwd = tempDir();
    const argv = ['check', '--profile', 'v6.12', '--cache'];
    const run = { output: 'fitted to 100 columns\n', exitCode: 0, notices: [] };
    expect(store(argv, { color: false, width: 100 }, {}, run, cwd)).toBeUndefined();
    expect(cached(argv, { color: false, width: 100 }, cwd)).toEqual(run);
    expect(cached(argv, { color: false, width: 80 }, cwd)).toBeUndefined();
    expect(cached(argv, { color: false }, cwd)).toBeUndefined();
    expect(cached(argv, { color: true, width: 100 }, cwd)).toBeUndefined();
  });
});

describe('--cache reads the command line as the command does', () => {
  it('spellings commander reads alike are one entry; another value is another', () => {
    const cwd = tempDir();
    const run = { output: 'report\n', exitCode: 0, notices: [] };
    const rendering = { color: false };
    store(['check', '--arch', 'mips', '--format', 'json', '--cache'], rendering, {}, run, cwd);
    expect(cached(['check', '--cache', '--format=json', '--arch=mips'], rendering, cwd)).toEqual(run);
    expect(cached(['--debug', 'check', '--arch', 'mips', '--cache', '--format', 'json', '--cache-location', '.kvm-rules-cache'], rendering, cwd)).toEqual(run);
    expect(cached(['check', '--arch', 'riscv', '--format', 'json', '--cache'], rendering, cwd)).toBeUndefined();
    // A line commander refuses is no hit: the run says what is wrong.
    expect(cached(['check', '--arch', 'mips', '--format', 'json', '--cache', '--no-such-option'], rendering, cwd)).toBeUndefined();
  });
});
