// The configuration file (kvm-rules.config.{mjs,js,json,yaml} or --config): rule severities and
// options, exceptions and ignores change the findings; the command line wins over the file;
// --print-config shows the result; bad input is one line naming the file, place and pointer.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import type { PrintedConfig } from '../src/config.js';
import type { CheckResult } from '../src/formatters/index.js';
import { checkJson, run } from './run.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvm-rules-config-'));
}

/** A config file of this name and text in a new temporary folder; returns its path. */
function configFile(text: string, name = 'kvm-rules.config.yaml'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

const check = checkJson;

async function printed(...argv: string[]): Promise<PrintedConfig> {
  const { code, stdout, stderr } = await run('check', '--print-config', ...argv);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as PrintedConfig;
}

/** Bad input: exit 2 and exactly one line on stderr, nothing on stdout. */
async function badInput(...argv: string[]): Promise<string> {
  const { code, stdout, stderr } = await run('check', ...argv);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trimEnd();
}

const summary = (result: CheckResult) => result.findings.map((f) => `${f.arch} ${f.ruleId} ${f.severity}`);

// Under tdx-v7, without a config: no-unused-hook (generic), kvm-init-last warnings for mips,
// powerpc (three module inits) and x86-vmx, and the x86-vmx hook-state-initialized error.
const YAML_CONFIG = `
rules:
  no-unused-hook: off
  kvm-init-last:
    severity: error
    options:
      exceptions:
        - arch: x86-vmx
          reason: vmx_init() finishes its per-CPU setup after kvm_init() here
exceptions:
  - arch: mips
    rule: kvm-init-last
    reason: kvm_mips_init() is being fixed in the series under review
ignores:
  - rule: kvm-init-last
    file: "**/plugins/powerpc/plugin.yaml"
    reason: Book3S and e500 register their late work on purpose
  - rule: hook-state-initialized
    file: "**/no-such-file.c"
    reason: matches nothing, so the error stays
`;

describe('config: findings', () => {
  it('without a config, tdx-v7 has the findings the config below acts on', async () => {
    const { result } = await check('--profile', 'tdx-v7');
    expect(summary(result)).toEqual([
      'generic no-unused-hook warning',
      'mips kvm-init-last warning',
      'powerpc kvm-init-last warning',
      'powerpc kvm-init-last warning',
      'powerpc kvm-init-last warning',
      'x86-vmx kvm-init-last warning',
      'x86-vmx hook-state-initialized error',
    ]);
  });

  it('a YAML config turns a rule off, sets another to error with options, excepts an arch and ignores by file', async () => {
    const { code, result } = await check('--profile', 'tdx-v7', '--config', configFile(YAML_CONFIG));
    expect(code).toBe(1);
    expect(summary(result)).toEqual(['x86-vmx hook-state-initialized error']);
  });

  it("the rule's severity and options apply to what the exceptions and ignores leave", async () => {
    const path = configFile(YAML_CONFIG.replace(/ignores:[^]*$/, ''));
    const { result } = await check('--profile', 'tdx-v7', '--config', path);
    expect(summary(result)).toEqual([
      'powerpc kvm-init-last error',
      'powerpc kvm-init-last error',
      'powerpc kvm-init-last error',
      'x86-vmx hook-state-initialized error',
    ]);
  });

  it("the command line wins: --rule over the config's severity, --profile over its profile; --arch adds to its archs", async () => {
    const path = configFile('profile: v5.19\narchs: [powerpc]\nrules:\n  kvm-init-last: error\n');
    const { result } = await check('--config', path, '--profile', 'tdx-v7', '--rule', 'kvm-init-last:warning', '--arch', 'mips');
    expect(result.profile).toBe('tdx-v7');
    expect(result.archs).toEqual(['mips', 'powerpc']);
    expect(new Set(result.findings.filter((f) => f.ruleId === 'kvm-init-last').map((f) => f.severity))).toEqual(new Set(['warning']));
  });

  it('an .mjs config: its default export, with paths relative to the file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'late.yaml'), 'id: late-too\nkind: kvm-init-last\nseverity: error\nsummary: kvm_init() comes last, as an error.\n');
    writeFileSync(
      join(dir, 'kvm-rules.config.mjs'),
      [
        'export default {',
        "  profile: 'tdx-v7',",
        "  archs: ['mips', 'x86-svm'],",
        "  rulesDirs: ['rules'],",
        "  rules: { 'kvm-init-last': 'off', 'no-unused-hook': 'off' },",
        '};',
      ].join('\n'),
    );
    const { result } = await check('--config', join(dir, 'kvm-rules.config.mjs'));
    expect(result.profile).toBe('tdx-v7');
    expect(summary(result)).toEqual(['mips late-too error']);
  });

  it('kvm-rules.config.json in the working directory is used without --config', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'kvm-rules.config.json'), JSON.stringify({ profile: 'tdx-v7', archs: ['mips'], rules: { 'no-unused-hook': 'off' } }));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { result } = await check();
      expect(result.profile).toBe('tdx-v7');
      expect(summary(result)).toEqual(['mips kvm-init-last warning']);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('config: a kernel tree', () => {
  let linux612 = '';
  beforeAll(() => {
    linux612 = fetchKernel('6.12');
  }, 300_000);

  it("kernel is relative to the config file; an ignore's file glob matches the tree-relative location", async () => {
    const path = configFile('');
    writeFileSync(
      path,
      [
        `kernel: ${JSON.stringify(relative(dirname(path), linux612))}`,
        'archs: [powerpc]',
        'exceptions:',
        '  - { arch: generic, rule: no-unused-hook, reason: "one arch checked: other archs implement the weak hooks" }',
        'ignores:',
        '  - file: arch/powerpc/kvm/e500*.c',
        '    reason: the e500 findings are handled in another series',
      ].join('\n'),
    );
    const { result } = await check('--config', path);
    expect(result.kernel?.version).toMatch(/^6\.12\./);
    expect(result.findings.length).toBeGreaterThan(0);
    // What is left: Book3S, and kvm_init()'s own unwinding (generic findings come with any arch).
    expect(result.findings.every((f) => f.location?.file === (f.arch === 'generic' ? 'virt/kvm/kvm_main.c' : 'arch/powerpc/kvm/book3s.c'))).toBe(true);
    expect(result.findings.some((f) => f.arch === 'powerpc')).toBe(true);
  });
});

describe('config: --print-config', () => {
  it('without a config: every key, with the defaults', async () => {
    const config = await printed();
    expect(Object.keys(config)).toEqual(['config', 'plugins', 'rulesDirs', 'profile', 'kernel', 'archs', 'rules', 'exceptions', 'ignores', 'docsBaseUrl']);
    expect(config).toMatchObject({ config: null, plugins: [], rulesDirs: [], profile: 'v6.12', kernel: null, exceptions: [], ignores: [], docsBaseUrl: null });
    expect(config.archs).toEqual(['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390', 'loongarch']);
    expect(config.rules['no-unused-hook']).toEqual({ severity: 'warning', options: null });
    expect(config.rules['source-partly-read']).toEqual({ severity: 'warning', options: { problems: 'warnings' } });
    expect(config.rules['kvm-init-last']!.options).toMatchObject({ exceptions: [{ arch: 'x86-vmx', phases: ['vmx_setup_l1d_flush'] }] });
  });

  it('with a config and the command line merged over it, and exits without checking', async () => {
    const path = configFile(YAML_CONFIG);
    const config = await printed('--config', path, '--profile', 'tdx-v7', '--rule', 'no-unused-hook:warning');
    expect(config.config).toBe(path);
    expect(config.profile).toBe('tdx-v7');
    expect(config.archs).toEqual(['x86-vmx', 'x86-svm', 'mips', 'arm64', 'riscv', 'powerpc', 's390']);
    expect(config.rules['no-unused-hook']).toEqual({ severity: 'warning', options: null });
    expect(config.rules['kvm-init-last']).toEqual({
      severity: 'error',
      options: { exceptions: [{ arch: 'x86-vmx', reason: 'vmx_init() finishes its per-CPU setup after kvm_init() here' }] },
    });
    expect(config.rules.integrity).toEqual({ severity: 'error', options: null });
    expect(config.exceptions).toEqual([{ arch: 'mips', rule: 'kvm-init-last', reason: 'kvm_mips_init() is being fixed in the series under review' }]);
    expect(config.ignores.map((i) => i.file)).toEqual(['**/plugins/powerpc/plugin.yaml', '**/no-such-file.c']);
  });

  it("finds kvm-rules.config.yaml in the --kernel tree's root; with a tree and no profile, the profile is the tree's own (null)", async () => {
    const tree = tempDir();
    writeFileSync(join(tree, 'kvm-rules.config.yaml'), 'rules:\n  plugin-drift: error\n');
    const config = await printed('--kernel', tree);
    expect(config.config).toBe(join(tree, 'kvm-rules.config.yaml'));
    expect(config.kernel).toBe(tree);
    expect(config.profile).toBeNull();
    expect(config.rules['plugin-drift']).toEqual({ severity: 'error', options: null });
  });
});

describe('config: bad input is one line, exit 2', () => {
  it('an unknown key, with the key it probably meant', async () => {
    const path = configFile('profile: tdx-v7\nrule:\n  integrity: off\n');
    expect(await badInput('--config', path)).toBe(`kvm-rules: ${path}:2:1: /: unknown key "rule" (did you mean "rules"?)`);
  });

  it('an unknown key inside a rule setting', async () => {
    const path = configFile('rules:\n  integrity: { severty: off }\n');
    expect(await badInput('--config', path)).toBe(`kvm-rules: ${path}:2:16: /rules/integrity: unknown key "severty" (did you mean "severity"?)`);
  });

  it('an ignore without a reason, or with too short a reason', async () => {
    const missing = configFile('ignores:\n  - rule: kvm-init-last\n    arch: mips\n');
    expect(await badInput('--config', missing)).toBe(`kvm-rules: ${missing}:2:5: /ignores/0: missing required key "reason"`);
    const short = configFile('ignores:\n  - { rule: kvm-init-last, reason: later }\n');
    expect(await badInput('--config', short)).toBe(`kvm-rules: ${short}:2:36: /ignores/0/reason: must NOT have fewer than 10 characters`);
  });

  it('an ignore that would match every finding', async () => {
    const path = configFile('ignores:\n  - reason: nothing to see here\n');
    expect(await badInput('--config', path)).toMatch(/\/ignores\/0: an ignore needs at least one of "rule", "arch", "file"/);
  });

  it('an exception without a reason', async () => {
    const path = configFile('exceptions:\n  - { arch: mips, rule: kvm-init-last }\n');
    expect(await badInput('--config', path)).toBe(`kvm-rules: ${path}:2:5: /exceptions/0: missing required key "reason"`);
  });

  it("a rule with options its kind does not accept, checked against the kind's schema", async () => {
    const path = configFile('rules:\n  kvm-init-last:\n    options:\n      exceptions:\n        - { arch: mips, reasn: because it is late }\n');
    expect(await badInput('--config', path)).toBe(
      `kvm-rules: ${path}:5:25: /rules/kvm-init-last/options/exceptions/0: unknown key "reasn" (did you mean "reason"?)`,
    );
    const none = configFile('rules:\n  integrity: { severity: warning, options: { strict: true } }\n');
    expect(await badInput('--config', none)).toBe(`kvm-rules: ${none}:2:44: /rules/integrity/options: rule kind "integrity" takes no options`);
  });

  it('a bad severity', async () => {
    const path = configFile('rules:\n  integrity: warn\n');
    expect(await badInput('--config', path)).toBe(`kvm-rules: ${path}:2:14: /rules/integrity: must be one of "error", "warning", "off"`);
  });

  it('an unknown rule, arch or profile, with the likely name', async () => {
    const rule = configFile('rules:\n  kvm-init-lst: off\n');
    expect(await badInput('--config', rule)).toBe(`kvm-rules: ${rule}:2:3: /rules: unknown rule "kvm-init-lst" (did you mean "kvm-init-last"?)`);
    const arch = configFile('exceptions:\n  - { arch: mip, rule: kvm-init-last, reason: late on purpose }\n');
    expect(await badInput('--config', arch)).toBe(`kvm-rules: ${arch}:2:13: /exceptions/0/arch: unknown arch "mip" (did you mean "mips"?)`);
    const archs = configFile('archs: [x86-vmx, sparc]\n');
    expect(await badInput('--config', archs)).toMatch(/:1:18: \/archs\/1: unknown arch "sparc" \(archs: arm64, loongarch, /);
    const profile = configFile('profile: v6.13\n');
    expect(await badInput('--config', profile)).toBe(`kvm-rules: ${profile}:1:10: /profile: unknown profile "v6.13" (did you mean "v6.12"?)`);
  });

  it('a path in the config that does not exist', async () => {
    const path = configFile('rulesDirs: [my-rules]\n');
    expect(await badInput('--config', path)).toBe(`kvm-rules: ${path}:1:13: /rulesDirs/0: no such folder: ${join(path, '..', 'my-rules')}`);
  });

  it('a config file that does not exist, or of another kind', async () => {
    expect(await badInput('--config', 'no-such-config.yaml')).toBe('kvm-rules: --config: no such file: no-such-config.yaml');
    expect(await badInput('--config', 'kvm-rules.toml')).toBe('kvm-rules: --config: kvm-rules.toml is not a .mjs, .js, .json, .yaml or .yml file');
  });

  it('a YAML syntax error', async () => {
    const path = configFile('rules:\n  integrity: [off\n');
    expect(await badInput('--config', path)).toMatch(new RegExp(`^kvm-rules: ${path}:\\d+:\\d+: `));
  });

  it('an .mjs config: the file and the pointer', async () => {
    const unknown = configFile("export default { rules: { integrity: 'off' }, ignore: [] };\n", 'kvm-rules.config.mjs');
    expect(await badInput('--config', unknown)).toBe(`kvm-rules: ${unknown}: /: unknown key "ignore" (did you mean "ignores"?)`);
    const reasonless = configFile("export default { ignores: [{ arch: 'mips' }] };\n", 'kvm-rules.config.mjs');
    expect(await badInput('--config', reasonless)).toBe(`kvm-rules: ${reasonless}: /ignores/0: missing required key "reason"`);
    const noDefault = configFile('export const rules = {};\n', 'kvm-rules.config.mjs');
    expect(await badInput('--config', noDefault)).toMatch(/kvm-rules\.config\.mjs: has no default export/);
    const broken = configFile('export default {;\n', 'kvm-rules.config.mjs');
    expect(await badInput('--config', broken)).toMatch(/kvm-rules\.config\.mjs: cannot load the configuration: /);
  });
});
