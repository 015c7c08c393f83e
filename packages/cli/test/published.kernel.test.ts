// kvm-rules as a user installs it: every package of the checkout is published to a local
// registry (verdaccio on 127.0.0.1, started and stopped here; anything else is proxied to the
// registry npm is configured with), then, in an empty folder outside the repository,
// `npx kvm-rules check --kernel <6.12>` and `npm install kvm-rules` + `npx kvm-rules …` give the
// findings the checkout gives. Prints the installed size.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';

const repo = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'kvm-rules-published-'));
let registry = '';
let verdaccio: ChildProcess | undefined;
let linux612 = '';
let env: NodeJS.ProcessEnv = {};

/** Every package of the workspace that is published (the root is not). */
function packageDirs(): string[] {
  const dirs = ['packages/core', 'packages/kernel-source', 'packages/create-plugin', 'packages/rule-tester', 'rules', 'packages/cli'];
  const plugins = readdirSync(join(repo, 'packages/plugins')).map((name) => `packages/plugins/${name}`);
  return [...dirs, ...plugins].map((dir) => join(repo, dir));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function waitFor(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the local registry did not answer at ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The findings of a JSON report, as what they say and where, without the tree's absolute root. */
function findingsOf(stdout: string): string[] {
  const report = JSON.parse(stdout) as {
    findings: { ruleId: string; arch: string; severity: string; message: string; location?: { file: string; line: number } }[];
  };
  return report.findings.map((f) => `${f.arch} ${f.ruleId} ${f.severity} ${f.location?.file}:${f.location?.line} ${f.message}`);
}

beforeAll(async () => {
  linux612 = fetchKernel('6.12');
  // What npm is configured with outside any workspace (npm refuses `config get` inside one).
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')));
  const upstream = spawnSync('npm', ['config', 'get', 'registry'], { cwd: work, env: clean, encoding: 'utf8' }).stdout.trim();
  if (!/^https?:\/\//.test(upstream)) throw new Error(`npm config get registry gave no registry (${JSON.stringify(upstream)})`);
  const port = await freePort();
  registry = `http://127.0.0.1:${port}/`;
  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${join(work, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(work, 'htpasswd')}, max_users: 10 }`,
      'uplinks:',
      // A slow or failed fetch is retried, not taken as the upstream being down: by default two
      // failures mark it offline for 5 minutes, and every package after that is a 404.
      `  upstream: { url: ${JSON.stringify(upstream)}, timeout: 120s, max_fails: 100, fail_timeout: 1s }`,
      'packages:',
      // Ours come from here alone: never a same-named package from elsewhere.
      "  'kvm-rules': { access: $all, publish: $authenticated }",
      "  '@kvm-rules/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, publish: $authenticated, proxy: upstream }",
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  verdaccio = spawn(join(repo, 'node_modules/.bin/verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], { stdio: 'ignore' });
  await waitFor(`${registry}-/ping`, 60_000);
  const user = await fetch(`${registry}-/user/org.couchdb.user:kvm-rules`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'kvm-rules', password: 'kvm-rules-test', type: 'user', roles: [] }),
  });
  const { token } = (await user.json()) as { token: string };
  const npmrc = join(work, 'npmrc');
  writeFileSync(npmrc, `registry=${registry}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  env = {
    ...clean,
    npm_config_userconfig: npmrc,
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_registry: registry,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  for (const dir of packageDirs()) {
    const published = run('npm', ['publish', dir, '--registry', registry], work);
    if (published.status !== 0) throw new Error(`npm publish ${dir} failed:\n${published.stderr}`);
  }
}, 300_000);

afterAll(() => {
  verdaccio?.kill();
});

describe('kvm-rules from a registry, in an empty folder outside the repository', () => {
  const checkout = () =>
    findingsOf(
      spawnSync(process.execPath, [join(repo, 'packages/cli/bin/kvm-rules.js'), 'check', '--kernel', linux612, '--format', 'json'], { encoding: 'utf8' })
        .stdout,
    );

  it('npx kvm-rules check --kernel <6.12>: the findings of the checkout', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kvm-rules-npx-'));
    const { status, stdout, stderr } = run('npx', ['--yes', 'kvm-rules', 'check', '--kernel', linux612, '--format', 'json'], empty);
    expect(stderr.split('\n').filter((line) => line.startsWith('kvm-rules:'))).toEqual([]);
    expect(status).toBe(1);
    expect(findingsOf(stdout)).toEqual(checkout());
  }, 300_000);

  it('npm install kvm-rules, then npx kvm-rules: the same findings, and the size it takes', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kvm-rules-install-'));
    writeFileSync(join(empty, 'package.json'), '{ "name": "a-kernel-workflow", "private": true }\n');
    const installed = run('npm', ['install', 'kvm-rules'], empty);
    expect(installed.status, installed.stderr).toBe(0);
    const own = JSON.parse(readFileSync(join(empty, 'node_modules/kvm-rules/package.json'), 'utf8')) as { version: string };
    expect(own.version).toBe((JSON.parse(readFileSync(join(repo, 'packages/cli/package.json'), 'utf8')) as { version: string }).version);
    const { status, stdout } = run('npx', ['kvm-rules', 'check', '--kernel', linux612, '--format', 'json'], empty);
    expect(status).toBe(1);
    expect(findingsOf(stdout)).toEqual(checkout());
    // What only building or testing kvm-rules needs is not installed with it.
    const top = readdirSync(join(empty, 'node_modules'));
    expect(top.filter((name) => ['typescript', 'eslint', 'tree-sitter-c', 'vitest', 'esbuild', '@microsoft', 'verdaccio'].includes(name))).toEqual([]);
    const size = run('du', ['-sk', 'node_modules'], empty).stdout.split('\t')[0];
    const count = run('npm', ['ls', '--all', '--parseable'], empty).stdout.trim().split('\n').length - 1;
    console.log(`npm install kvm-rules: ${(Number(size) / 1024).toFixed(1)} MB in node_modules, ${count} packages`);
  }, 300_000);
});
