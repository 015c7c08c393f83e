// Plugin packages as a maintainer ships them: found by path or npm name, refused with one line
// when they target another plugin API or are malformed, and never allowed to shadow another's ids.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkJson, run } from './run.js';

const acme = fileURLToPath(new URL('./fixtures/plugins/acme', import.meta.url));
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const cwd = process.cwd();
const made: string[] = [];

afterEach(() => {
  process.chdir(cwd);
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-plugins-'));
  made.push(dir);
  return dir;
}

/** A project folder whose node_modules has the acme fixture installed under `name` (as npm links a workspace). */
function projectWith(name: string): string {
  const dir = tempDir();
  mkdirSync(join(dir, 'node_modules', name, '..'), { recursive: true });
  symlinkSync(acme, join(dir, 'node_modules', name), 'dir');
  return dir;
}

/** The acme fixture copied, with its package.json "kvm-rules" key and files changed. */
function acmeWith(descriptor: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(tempDir(), 'acme');
  cpSync(acme, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kvm-rules-plugin-acme', version: '1.0.0', 'kvm-rules': descriptor }, null, 2));
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  // Its dependencies installed: kinds.js imports @kvm-rules/core.
  symlinkSync(join(repository, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

const declarations = { apiVersion: 1, manifests: ['./plugin.yaml'] };

describe('plugin packages: what they bring', () => {
  it('a package folder brings its arch, its rule kind and rule file, and its profile', async () => {
    const { code, result } = await checkJson('--plugin', acme, '--arch', 'acme-vmm', '--profile', 'v6.12');
    expect(code).toBe(0);
    expect(result.archs).toEqual(['acme-vmm']);
    const own = result.findings.filter((f) => f.arch === 'acme-vmm');
    expect(own.map((f) => `${f.ruleId} ${f.severity}`)).toEqual(['acme-phase-summary warning']);
    expect(own[0]!.message).toBe('phase "kvm-init" of acme_vmm_init() has no summary');
    expect(own[0]!.location?.file).toMatch(/fixtures\/plugins\/acme\/plugin\.yaml$/);
  });

  it('its profile is a "what if" like any other: /dev/kvm before the hooks have run', async () => {
    const { result } = await checkJson('--plugin', acme, '--arch', 'acme-vmm', '--profile', 'acme-late-dev-kvm');
    expect(result.profile).toBe('acme-late-dev-kvm');
    expect(result.findings.map((f) => f.ruleId)).toContain('acme-phase-summary');
  });

  it('list and explain show what the package brought; explain prints the kind of a plugin rule', async () => {
    const { stdout } = await run('list', '--plugin', acme);
    expect(stdout).toMatch(/^ {2}acme-vmm +6\.12 +ACME's virtualization module/m);
    expect(stdout).toMatch(/^ {2}acme-late-dev-kvm +proposal on 6\.12 /m);
    expect(stdout).toMatch(/^ {2}acme-phase-summary +warning +Every phase of module init says what it does\.$/m);
    expect((await run('explain', 'acme-phase-summary', '--plugin', acme)).stdout).toContain(
      'kind:     acme-phase-summary (suggestion): Every phase of module init has a summary.',
    );
  });
});

describe('plugin packages: found by npm name, as ESLint finds its plugins', () => {
  it('"acme" is the package kvm-rules-plugin-acme, looked up from the working directory', async () => {
    process.chdir(projectWith('kvm-rules-plugin-acme'));
    const { result } = await checkJson('--plugin', 'acme', '--arch', 'acme-vmm', '--profile', 'v6.12');
    expect(result.archs).toEqual(['acme-vmm']);
  });

  it('the full name works too, and "@acme" is @acme/kvm-rules-plugin', async () => {
    process.chdir(projectWith('kvm-rules-plugin-acme'));
    expect((await checkJson('--plugin', 'kvm-rules-plugin-acme', '--arch', 'acme-vmm', '--profile', 'v6.12')).result.archs).toEqual(['acme-vmm']);
    process.chdir(projectWith('@acme/kvm-rules-plugin'));
    expect((await checkJson('--plugin', '@acme', '--arch', 'acme-vmm', '--profile', 'v6.12')).result.archs).toEqual(['acme-vmm']);
  });

  it('a configuration file names plugins the same way, looked up from its folder', async () => {
    const dir = projectWith('@acme/kvm-rules-plugin-vmm');
    writeFileSync(join(dir, 'kvm-rules.config.yaml'), 'plugins: ["@acme/vmm"]\narchs: [acme-vmm]\nprofile: v6.12\n');
    process.chdir(dir);
    expect((await checkJson()).result.archs).toEqual(['acme-vmm']);
  });

  it('a package named by the configuration and again by --plugin is loaded once', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kvm-rules.config.yaml'), `plugins: [${JSON.stringify(acme)}]\nprofile: v6.12\n`);
    process.chdir(dir);
    expect((await checkJson('--plugin', acme, '--arch', 'acme-vmm')).result.archs).toEqual(['acme-vmm']);
  });

  it('a package that is not installed: exit 2, naming the package and where it was looked for', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'acme'));
    process.chdir(dir);
    const { code, stderr } = await run('check', '--plugin', 'acme');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^kvm-rules: plugin "acme": cannot find the package kvm-rules-plugin-acme or acme from \S+ \(to load the folder "acme", write \.\/acme\)\n$/,
    );
  });
});

describe('plugin packages: refused with one line and exit 2', () => {
  async function refusal(...argv: string[]): Promise<string> {
    const { code, stdout, stderr } = await run('check', ...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toHaveLength(2);
    return stderr;
  }

  it('a plugin written for another plugin API, before anything else is read', async () => {
    const dir = acmeWith({ apiVersion: 2, manifests: ['./plugin.yaml'], newKey: true });
    expect(await refusal('--plugin', dir)).toMatch(
      /^kvm-rules: \S*acme\/package\.json:\d+:\d+: \/kvm-rules\/apiVersion: plugin kvm-rules-plugin-acme targets plugin API 2; this kvm-rules supports plugin API 1\n$/,
    );
  });

  it('a plugin that does not say which API it targets, or says it wrongly', async () => {
    expect(await refusal('--plugin', acmeWith({ manifests: ['./plugin.yaml'] }))).toMatch(
      /\/kvm-rules: plugin kvm-rules-plugin-acme does not say which plugin API it targets: add "apiVersion": 1\n$/,
    );
    expect(await refusal('--plugin', acmeWith({ apiVersion: '1', manifests: ['./plugin.yaml'] }))).toMatch(
      /\/kvm-rules\/apiVersion: plugin kvm-rules-plugin-acme has apiVersion "1"; this kvm-rules supports plugin API 1\n$/,
    );
  });

  it('a descriptor with an unknown key, or naming a file the package does not have', async () => {
    expect(await refusal('--plugin', acmeWith({ ...declarations, manifest: './plugin.yaml' }))).toMatch(
      /package\.json:\d+:\d+: \/kvm-rules: unknown key "manifest" \(did you mean "manifests"\?\)\n$/,
    );
    expect(await refusal('--plugin', acmeWith({ apiVersion: 1, manifests: ['./arch.yaml'] }))).toMatch(
      /\/kvm-rules\/manifests\/0: plugin kvm-rules-plugin-acme: \.\/arch\.yaml is not a file of the package\n$/,
    );
  });

  it('a package without a "kvm-rules" key, or that brings nothing', async () => {
    const dir = acmeWith(declarations);
    writeFileSync(join(dir, 'package.json'), '{ "name": "left-pad" }\n');
    expect(await refusal('--plugin', dir)).toMatch(/package\.json: left-pad is not a kvm-rules plugin: its package\.json has no "kvm-rules" key\n$/);
    expect(await refusal('--plugin', acmeWith({ apiVersion: 1 }))).toMatch(
      /\/kvm-rules: plugin kvm-rules-plugin-acme brings nothing: name manifests, rules, profiles or kinds\n$/,
    );
  });

  it('a manifest with a value of the wrong type names the file, the place and the type', async () => {
    const dir = acmeWith(declarations, { 'plugin.yaml': 'id: acme-vmm\nsummary: ACME module\nkernel: 6.12\nmodules: []\nhooks: {}\nstate: {}\n' });
    expect(await refusal('--plugin', dir)).toMatch(/acme\/plugin\.yaml:3:9: \/kernel: must be a string \(and 1 more problem in this file\)\n$/);
  });

  it('a kinds module that does not export its kinds, or exports something else', async () => {
    const kinds = { apiVersion: 1, kinds: './kinds.js' };
    expect(await refusal('--plugin', acmeWith(kinds, { 'kinds.js': 'export default [];\n' }))).toMatch(
      /acme\/kinds\.js: plugin kvm-rules-plugin-acme: the module must export `kinds`, an array of rule kinds\n$/,
    );
    expect(await refusal('--plugin', acmeWith(kinds, { 'kinds.js': 'export const kinds = [{ name: "late" }];\n' }))).toMatch(
      /plugin kvm-rules-plugin-acme: kinds\[0\] \(late\) has no create\(\) function\n$/,
    );
    expect(await refusal('--plugin', acmeWith(kinds, { 'kinds.js': 'export const kinds = [;\n' }))).toMatch(
      /acme\/kinds\.js: plugin kvm-rules-plugin-acme: cannot load its rule kinds: /,
    );
  });
});

describe('plugin packages: a name clash is an error naming both sources', () => {
  it('an arch id another plugin has', async () => {
    const dir = acmeWith(declarations, {
      'plugin.yaml':
        'id: mips\nsummary: Another MIPS\nkernel: "6.12"\nmodules:\n  - { init: m_init, file: m.c, phases: [{ id: kvm-init, call: kvm_init }] }\nhooks: {}\nstate: {}\n',
    });
    const { code, stderr } = await run('check', '--plugin', dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /duplicate plugin id "mips": in \S*packages\/plugins\/mips\/plugin\.yaml \(@kvm-rules\/plugin-mips\) and in \S*acme\/plugin\.yaml \(kvm-rules-plugin-acme\)\n$/,
    );
  });

  it('a rule id or a rule kind of the default set', async () => {
    const rule = 'id: kvm-init-last\nkind: acme-phase-summary\nseverity: warning\nsummary: A rule whose id is taken.\n';
    const taken = acmeWith({ apiVersion: 1, rules: './rules', kinds: './kinds.js' }, { 'rules/acme-phase-summary.yaml': rule });
    expect((await run('check', '--plugin', taken)).stderr).toMatch(
      /duplicate rule id "kvm-init-last": in \S*rules\/kvm-init-last\.yaml \(@kvm-rules\/rules\) and in \S*acme\/rules\/acme-phase-summary\.yaml \(kvm-rules-plugin-acme\)\n$/,
    );
    const kind = acmeWith(
      { apiVersion: 1, kinds: './kinds.js' },
      {
        'kinds.js': 'import { kinds as own } from "./own.js";\nexport const kinds = own;\n',
        'own.js': 'export const kinds = [{ name: "integrity", create() { return {}; }, meta: { messages: {}, schema: [] } }];\n',
      },
    );
    expect((await run('check', '--plugin', kind)).stderr).toMatch(
      /duplicate rule kind id "integrity": in \S*rules\/dist\/index\.js \(@kvm-rules\/rules\) and in \S*acme\/kinds\.js \(kvm-rules-plugin-acme\)\n$/,
    );
  });

  it('a profile id core already has', async () => {
    const profile =
      'id: v6.12\nsummary: Another v6.12.\nkernel: "6.12"\nhooks: {}\nkvmInit: [{ id: dev-kvm, summary: misc_register(), exposes: dev-kvm }]\nlifecycle: []\n';
    const dir = acmeWith({ apiVersion: 1, profiles: './profiles' }, { 'profiles/acme-late-dev-kvm.yaml': profile });
    expect((await run('check', '--plugin', dir)).stderr).toMatch(
      /duplicate profile id "v6\.12": in \S*core\/profiles\/v6\.12\.yaml and in \S*acme\/profiles\/acme-late-dev-kvm\.yaml \(kvm-rules-plugin-acme\)\n$/,
    );
  });
});
