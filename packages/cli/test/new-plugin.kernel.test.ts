// kvm-rules new-plugin. In-process: the files it writes, the package through the plugin loader,
// bad arguments, and the tests it writes run here against the checkout's packages. Then once end
// to end, as a maintainer would: the bin in an empty folder outside the repository, `npm install`
// and `npm test` there, and `check --plugin` on Linux 6.12. Kernel trees are fetched by
// scripts/kernels.mjs when missing; the npm steps need the registry or a warm npm cache (CI has
// both after `npm ci`). None of it skips: what cannot be had fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinProfilesDir, loadPluginSet, loadProfiles, readPluginPackage } from '@kvm-rules/core';
import { KernelTree } from '@kvm-rules/kernel-source';
import { checkoutOf, publishedPlan, scaffoldManifest, VITEST_RANGE } from '@kvm-rules/create-plugin';
import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import type { CheckResult } from '../src/formatters/index.js';
import { checkJson, run } from './run.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const cliDir = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const bin = join(cliDir, 'bin', 'kvm-rules.js');

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A new folder outside the repository, removed after the tests. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-new-plugin-test-'));
  temporary.push(dir);
  return dir;
}

/** `kvm-rules new-plugin NAME ARGS… --out <new folder>/p`, in-process; anything but exit 0 throws with stderr. */
async function scaffold(name: string, ...args: string[]): Promise<{ dir: string; stdout: string; stderr: string }> {
  const dir = join(tempDir(), 'p');
  const { code, stdout, stderr } = await run('new-plugin', name, ...args, '--out', dir);
  if (code !== 0) throw new Error(`new-plugin exited ${code}: ${stderr}`);
  return { dir, stdout, stderr };
}

/** Every file under `dir`, relative, sorted; node_modules left out. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !relative(dir, entry.parentPath).startsWith('node_modules'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

/** The findings plugin.test.js asserts, read back from its text. */
function listedFindings(dir: string): { ruleId: string; severity: string; arch: string }[] {
  return [...read(dir, 'test/plugin.test.js').matchAll(/\{ ruleId: '([^']+)', severity: '([^']+)', arch: '([^']+)' \}/g)].map(
    ([, ruleId = '', severity = '', arch = '']) => ({
      ruleId,
      severity,
      arch,
    }),
  );
}

const summaryOf = (findings: { ruleId: string; severity: string; arch: string }[]) =>
  findings.map(({ ruleId, severity, arch }) => ({ ruleId, severity, arch }));

/** The package with the checkout's node_modules beside it, so that its own imports resolve here. */
function linkCheckoutModules(dir: string): void {
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
}

// The frame package (no kernel tree). Its tests are imported while this file is collected, since
// RuleTester and `it` register their cases at import: they run here, in this vitest, against the
// checkout's @kvm-rules packages, as they will run in the maintainer's folder.
const frame = await scaffold('demo-arch');
linkCheckoutModules(frame.dir);

describe("the tests new-plugin writes, run in-process against the checkout's packages", async () => {
  for (const test of ['demo-arch-registration-undo.test.js', 'docs.test.js', 'plugin.test.js']) {
    await import(pathToFileURL(join(frame.dir, 'test', test)).href);
  }
});

describe('new-plugin without a kernel tree', () => {
  const kind = 'demo-arch-registration-undo';

  it('writes the package: manifest, kinds, rule file, page, tests, README; and says what it wrote and what to run next', () => {
    expect(filesIn(frame.dir)).toEqual([
      '.gitignore',
      'README.md',
      `docs/rules/${kind}.md`,
      'kinds.js',
      'package.json',
      'plugin.yaml',
      `rules/${kind}.yaml`,
      `test/${kind}.test.js`,
      'test/docs.test.js',
      'test/plugin.test.js',
    ]);
    const lines = frame.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^Wrote kvm-rules-plugin-demo-arch to .*\/p\/ \(plugin.yaml a frame to fill; 0 findings under v6.12, listed in test\/plugin.test.js\):$/,
    );
    expect(lines).toContain(`  rules/${kind}.yaml`);
    expect(lines.slice(lines.indexOf('Next:'))).toEqual([
      'Next:',
      `  cd ${frame.dir}`,
      '  npm install',
      '  npm test',
      '  npx kvm-rules check --plugin . --profile v6.12',
      '',
    ]);
    expect(frame.stderr).toBe('');
    expect(read(frame.dir, '.gitignore')).toBe('node_modules\n');
  });

  it("package.json: the plugin descriptor, and the checkout's packages packed as tarballs, every @kvm-rules package overridden to them", () => {
    const pkg = JSON.parse(read(frame.dir, 'package.json')) as Record<string, Record<string, string>>;
    expect({ ...pkg, dependencies: undefined, devDependencies: undefined, overrides: undefined }).toEqual({
      name: 'kvm-rules-plugin-demo-arch',
      version: '0.1.0',
      description: 'kvm-rules plugin: the KVM module init of demo-arch and a rule of its own.',
      type: 'module',
      keywords: ['kvm-rules-plugin'],
      'kvm-rules': { apiVersion: 1, manifests: ['./plugin.yaml'], rules: './rules', kinds: './kinds.js' },
      files: ['plugin.yaml', 'kinds.js', 'rules', 'docs'],
      scripts: { test: 'vitest run' },
    });
    const tarball = (name: string) => `file:${repo}/.cache/packages/${name.replace('@', '').replace('/', '-')}-0.1.0.tgz`;
    expect(pkg.dependencies).toEqual({ '@kvm-rules/core': tarball('@kvm-rules/core') });
    expect(pkg.devDependencies).toEqual({
      'kvm-rules': tarball('kvm-rules'),
      '@kvm-rules/rule-tester': tarball('@kvm-rules/rule-tester'),
      '@kvm-rules/rules': tarball('@kvm-rules/rules'),
      vitest: VITEST_RANGE,
    });
    const overrides = pkg.overrides ?? {};
    expect(Object.keys(overrides)).toEqual(expect.arrayContaining(['@kvm-rules/kernel-source', '@kvm-rules/plugin-mips', '@kvm-rules/plugin-x86-vmx']));
    for (const [name, spec] of Object.entries(overrides)) {
      expect(spec, name).toBe(name in (pkg.dependencies ?? {}) || name in (pkg.devDependencies ?? {}) ? `$${name}` : tarball(name));
      if (!spec.startsWith('$')) expect(existsSync(spec.slice('file:'.length)), spec).toBe(true);
    }
    expect(read(frame.dir, 'README.md')).toContain(`in ${repo}/.cache/packages/, the way \`npm publish\` would pack them`);
  });

  it('the manifest and rule file name their schemas on their first line; the package loads through the plugin loader', async () => {
    expect(read(frame.dir, 'plugin.yaml').split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/@kvm-rules/core/schemas/plugin.schema.json');
    expect(read(frame.dir, `rules/${kind}.yaml`).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./node_modules/@kvm-rules/core/schemas/rule-file.schema.json',
    );
    const set = await loadPluginSet([readPluginPackage(frame.dir)], { profiles: loadProfiles(builtinProfilesDir) });
    expect(
      set.manifests.map((m) =>
        m.build(undefined).modules.map((module) => `${m.base.id} ${module.init} ${module.file} ${module.phases.map((p) => p.id).join(',')}`),
      ),
    ).toEqual([['demo-arch kvm_demo_arch_init arch/demo-arch/kvm/main.c kvm-init']]);
    expect([...set.kinds.keys()]).toEqual([kind]);
    expect(set.rules.map((r) => [r.id, r.severity, r.options])).toEqual([[kind, 'warning', [{ archs: ['demo-arch'] }]]]);
  });

  it('check --plugin and explain load it like any plugin package', async () => {
    const { code, result } = await checkJson('--plugin', frame.dir, '--arch', 'demo-arch', '--profile', 'v6.12');
    expect(code).toBe(0);
    expect(result.archs).toEqual(['demo-arch']);
    const listed = await run('list', 'rules', '--plugin', frame.dir);
    expect(listed.stdout).toMatch(new RegExp(`\\n  ${kind} +warning +Every phase of demo-arch that registers something names its undo\\.\\n`));
    const explained = await run('explain', kind, '--plugin', frame.dir);
    expect(explained.stdout).toContain(`${kind} (warning) — Every phase of demo-arch that registers something names its undo.`);
    expect(explained.stdout).toContain('## Options');
  });

  it('the plugin test can fail: a phase after kvm_init() that registers a notifier brings findings its list does not have', async () => {
    const { dir } = await scaffold('demo-arch');
    linkCheckoutModules(dir);
    expect(listedFindings(dir)).toEqual([]);
    const yaml = read(dir, 'plugin.yaml').replace(
      '        undo: kvm_exit\n',
      '        undo: kvm_exit\n      - { id: die-notifier, call: register_die_notifier }\n',
    );
    writeFileSync(join(dir, 'plugin.yaml'), yaml);
    expect(summaryOf(await checkPluginPackage(dir, 'v6.12'))).toEqual([
      { ruleId: kind, severity: 'warning', arch: 'demo-arch' },
      { ruleId: 'kvm-init-last', severity: 'warning', arch: 'demo-arch' },
    ]);
  });

  it('the same arguments write the same bytes', async () => {
    const again = await scaffold('demo-arch');
    for (const file of filesIn(frame.dir)) expect(read(again.dir, file), file).toBe(read(frame.dir, file));
  });

  it('--profile v5.19: the frame describes Linux 5.19, and the plugin test checks under v5.19', async () => {
    const { dir } = await scaffold('old-arch', '--profile', 'v5.19');
    expect(read(dir, 'plugin.yaml')).toContain('\nkernel: "5.19"\n');
    expect(read(dir, 'test/plugin.test.js')).toContain("checkPluginPackage(new URL('..', import.meta.url), 'v5.19')");
  });
});

describe('new-plugin --kernel', () => {
  let linux612 = '';
  let linux61 = '';
  beforeAll(() => {
    linux612 = fetchKernel('6.12');
    linux61 = fetchKernel('6.1');
  }, 300_000);

  it('Linux 6.12 loongarch: plugin.yaml is what scaffoldManifest() derives, its notes on stderr; v6.12, no finding', async () => {
    const { dir, stdout, stderr } = await scaffold('loongarch-demo', '--kernel', linux612, '--arch-dir', 'arch/loongarch/kvm');
    const expected = await scaffoldManifest(KernelTree.open(linux612), {
      id: 'loongarch-demo',
      archDir: 'arch/loongarch/kvm',
      profiles: loadProfiles(builtinProfilesDir),
    });
    expect(read(dir, 'plugin.yaml')).toBe(expected.yaml);
    expect(stderr).toBe(expected.notes.map((note) => `kvm-rules: note: ${note}\n`).join(''));
    expect(stdout).toMatch(
      /^Wrote kvm-rules-plugin-loongarch-demo to .*\/p\/ \(plugin.yaml derived from Linux 6\.12\.\d+ arch\/loongarch\/kvm, every derived entry marked to confirm; 0 findings under v6\.12/,
    );
    expect(stdout).toContain(`  npx kvm-rules check --plugin . --kernel ${linux612}\n`);
    expect(listedFindings(dir)).toEqual([]);
    expect(read(dir, 'README.md')).toContain('derived from Linux 6.12');
  });

  it('Linux 6.1 mips: no released 6.1 profile, so v6.12; the plugin test lists what checkPluginPackage finds', async () => {
    const { dir } = await scaffold('mips-61', '--kernel', linux61, '--arch-dir', 'arch/mips/kvm');
    linkCheckoutModules(dir);
    expect(listedFindings(dir)).toEqual([
      { ruleId: 'kvm-init-last', severity: 'warning', arch: 'mips-61' },
      { ruleId: 'hook-state-initialized', severity: 'error', arch: 'mips-61' },
      { ruleId: 'hook-state-initialized', severity: 'error', arch: 'mips-61' },
    ]);
    expect(summaryOf(await checkPluginPackage(dir, 'v6.12'))).toEqual(listedFindings(dir));
  });
});

describe('bad arguments: exit 2, one line, nothing written', () => {
  const cases: [string, (tree: string, out: string) => string[], RegExp][] = [
    ['a name that is no lower-case id', () => ['Demo'], /^kvm-rules: new-plugin: "Demo" is not a lower-case id/],
    ['--kernel without --arch-dir', (tree) => ['x', '--kernel', tree], /^kvm-rules: new-plugin: --kernel and --arch-dir go together/],
    ['--arch-dir without --kernel', () => ['x', '--arch-dir', 'arch/mips/kvm'], /^kvm-rules: new-plugin: --kernel and --arch-dir go together/],
    [
      'a folder that is no kernel tree',
      (_, out) => ['x', '--kernel', join(out, '..'), '--arch-dir', 'arch/mips/kvm'],
      /^kvm-rules: --kernel: .* is not a Linux kernel tree/,
    ],
    [
      'an arch directory the tree does not have',
      (tree) => ['x', '--kernel', tree, '--arch-dir', 'arch/nope/kvm'],
      /^kvm-rules: --arch-dir: arch\/nope\/kvm is not a directory of the kernel tree/,
    ],
    [
      'an arch directory without a KVM module init',
      (tree) => ['x', '--kernel', tree, '--arch-dir', 'arch/x86/kvm'],
      /^kvm-rules: --arch-dir: no module init in arch\/x86\/kvm calls kvm_init\(\)/,
    ],
    ['an unknown profile', () => ['x', '--profile', 'v9.9'], /^kvm-rules: --profile: unknown profile "v9.9" \(profiles: tdx-v7, v5.19, v6.12\)\n$/],
  ];
  let tree = '';
  beforeAll(() => {
    tree = fetchKernel('6.12');
  }, 300_000);

  it.each(cases)('%s', async (_, args, message) => {
    const out = join(tempDir(), 'p');
    const { code, stdout, stderr } = await run('new-plugin', ...args(tree, out), '--out', out);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('an --out folder that is not empty is left alone', async () => {
    const out = tempDir();
    writeFileSync(join(out, 'mine.txt'), 'mine\n');
    const { code, stderr } = await run('new-plugin', 'x', '--out', out);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^kvm-rules: --out: .* is not empty; give a new or empty folder\n$/);
    expect(readdirSync(out)).toEqual(['mine.txt']);
  });
});

describe('where the @kvm-rules packages come from', () => {
  it('this CLI runs from the checkout; one inside a node_modules folder is an installed release', () => {
    expect(checkoutOf(cliDir)).toBe(repo);
    const installed = join(tempDir(), 'node_modules', '@kvm-rules', 'cli');
    mkdirSync(installed, { recursive: true });
    expect(checkoutOf(installed)).toBeUndefined();
  });

  it('an installed release writes semver ranges of its own version, and no overrides', () => {
    expect(publishedPlan('0.3.1')).toEqual({
      dependencies: { '@kvm-rules/core': '^0.3.1' },
      devDependencies: { 'kvm-rules': '^0.3.1', '@kvm-rules/rule-tester': '^0.3.1', '@kvm-rules/rules': '^0.3.1', vitest: VITEST_RANGE },
    });
  });

  it("the plugin's vitest range is the repository's", () => {
    const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(VITEST_RANGE).toBe(root.devDependencies.vitest);
  });
});

/** A command as a new user runs it: no variables of the npm or vitest running these tests. */
function sh(command: string, args: string[], cwd: string): { status: number | null; output: string; stdout: string } {
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|VITEST|TEST$|NODE_ENV$|FORCE_COLOR$)/i.test(name))),
    NO_COLOR: '1',
  };
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
}

describe('end to end, as a maintainer: an empty folder outside the repository', () => {
  it('new-plugin --kernel, npm install, npm test pass; check --plugin adds the arch; a wrong expectation fails npm test', { timeout: 600_000 }, () => {
    const linux612 = fetchKernel('6.12');
    const work = tempDir();
    const scaffolded = sh(
      process.execPath,
      [bin, 'new-plugin', 'loongarch-demo', '--kernel', linux612, '--arch-dir', 'arch/loongarch/kvm', '--out', './p'],
      work,
    );
    expect(scaffolded.status, scaffolded.output).toBe(0);
    const dir = join(work, 'p');

    const install = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
    expect(install.status, install.output).toBe(0);
    const test = sh('npm', ['test'], dir);
    expect(test.status, test.output).toBe(0);
    expect(test.output).toMatch(/Tests +7 passed \(7\)/);

    const check = sh(process.execPath, [bin, 'check', '--plugin', './p', '--kernel', linux612, '--format', 'json'], work);
    expect([0, 1], check.output).toContain(check.status);
    const result = JSON.parse(check.stdout) as CheckResult;
    expect(result.archs).toContain('loongarch-demo');
    expect(result.findings.filter((f) => f.arch === 'loongarch-demo')).toEqual([]);

    const ruleTest = join(dir, 'test', 'loongarch-demo-registration-undo.test.js');
    writeFileSync(ruleTest, readFileSync(ruleTest, 'utf8').replace("messageId: 'noUndo', arch: 'demo'", "messageId: 'missingUndo', arch: 'demo'"));
    const failing = sh('npm', ['test'], dir);
    expect(failing.status, failing.output).not.toBe(0);
    expect(failing.output).toContain('has no message "missingUndo"');
  });
});
