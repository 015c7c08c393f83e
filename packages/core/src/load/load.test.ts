import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from './input-error.js';
import { createRule } from '../rule-api/create-rule.js';
import { reason } from '../schemas/common.js';
import { loadPlugin, loadProfile, loadRuleFile } from './load.js';
import { readPluginPackage } from './plugin-package.js';

function fileWith(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kvm-rules-load-')), name);
  writeFileSync(path, text);
  return path;
}

function inputError(load: () => unknown): InputError {
  try {
    load();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

const plugin = [
  'id: demo',
  'summary: Demo arch',
  'kernel: "5.19"',
  'modules:',
  '  - init: demo_init',
  '    file: arch/demo/kvm/main.c',
  '    phases:',
  '      - { id: kvm-init, call: kvm_init }',
  'hooks: {}',
  'state: {}',
  '',
].join('\n');

/** Two rule kinds: one without options, one whose exceptions need a reason. */
const kinds = new Map(
  [
    createRule({
      name: 'integrity',
      meta: { type: 'problem', docs: { description: 'Integrity.' }, messages: {}, schema: [], defaultOptions: [] },
      create: () => ({}),
    }),
    createRule({
      name: 'kvm-init-last',
      meta: {
        type: 'problem',
        docs: { description: 'Late work.' },
        messages: {},
        schema: [
          {
            type: 'object',
            properties: {
              exceptions: { type: 'array', items: { type: 'object', required: ['arch', 'reason'], properties: { arch: { type: 'string' }, reason } } },
            },
          },
        ],
        defaultOptions: [{}],
      },
      create: () => ({}),
    }),
  ].map((kind) => [kind.name, kind]),
);

describe('rule files', () => {
  it('a misspelled key is one line naming the file, line, pointer and the likely key', () => {
    const path = fileWith('typo.yaml', 'id: typo\nkind: integrity\nseverty: error\nsummary: A rule with a typo in it.\n');
    const error = inputError(() => loadRuleFile(path, kinds));
    expect(error.place).toMatchObject({ line: 3, column: 1, pointer: '' });
    expect(error.message).toMatch(/typo\.yaml:3:1: \/: unknown key "severty" \(did you mean "severity"\?\)$/);
    expect(error.message).not.toContain('\n');
  });

  it("options are checked against the kind's schema, pointing into the rule file", () => {
    const path = fileWith(
      'options.yaml',
      'id: late\nkind: kvm-init-last\nseverity: warning\nsummary: Late work.\noptions:\n  exceptions:\n    - { arch: mips }\n',
    );
    const error = inputError(() => loadRuleFile(path, kinds));
    expect(error.message).toMatch(/options\.yaml:7:7: \/options\/exceptions\/0: missing required key "reason"$/);
  });

  it('an unknown kind names the kinds there are', () => {
    const path = fileWith('kind.yaml', 'id: k\nkind: state-before-hook\nseverity: error\nsummary: Unknown kind.\n');
    expect(inputError(() => loadRuleFile(path, kinds)).message).toMatch(
      /kind\.yaml:2:7: \/kind: unknown rule kind "state-before-hook" \(kinds: integrity, kvm-init-last\)$/,
    );
  });

  it('a YAML syntax error gives its line', () => {
    const path = fileWith('broken.yaml', 'id: broken\nkind: [integrity\nseverity: error\n');
    expect(inputError(() => loadRuleFile(path, kinds)).place?.line).toBeGreaterThan(0);
  });
});

describe('plugin manifests', () => {
  it('a missing required field is named with its place', () => {
    const path = fileWith('plugin.yaml', plugin.replace('    file: arch/demo/kvm/main.c\n', ''));
    const error = inputError(() => loadPlugin(path));
    expect(error.message).toMatch(/plugin\.yaml:5:5: \/modules\/0: missing required key "file"$/);
  });

  it('a value of the wrong type is named with its place', () => {
    const path = fileWith('plugin.yaml', plugin.replace('{ id: kvm-init, call: kvm_init }', '{ id: kvm-init, call: kvm_init, canFail: yes please }'));
    expect(inputError(() => loadPlugin(path)).message).toMatch(/plugin\.yaml:8:50: \/modules\/0\/phases\/0\/canFail: must be a boolean$/);
  });

  it('a hook keeps its summary, for the rules that read it', () => {
    const path = fileWith('plugin.yaml', plugin.replace('hooks: {}', 'hooks:\n  hardware-enable: { impl: demo_enable, summary: Enables this CPU }'));
    expect(loadPlugin(path).hooks.get('hardware-enable')?.summary).toBe('Enables this CPU');
  });

  it('an unknown variant names the variants there are', () => {
    const path = fileWith('plugin.yaml', plugin);
    expect(inputError(() => loadPlugin(path, 'tdx-v7')).message).toMatch(/plugin demo has no variant "tdx-v7" \(variants: none\)$/);
  });

  it('a file that does not exist', () => {
    expect(inputError(() => loadPlugin('/nonexistent/plugin.yaml')).message).toBe('/nonexistent/plugin.yaml: cannot read file (ENOENT)');
  });
});

describe('profiles', () => {
  it('a hook call without its hook is named', () => {
    const path = fileWith(
      'p.yaml',
      'id: p\nsummary: A profile.\nkernel: "6.12"\nhooks: {}\nkvmInit:\n  - { id: a, summary: Step a., calls: [{ on: one-cpu }] }\nlifecycle: []\n',
    );
    expect(inputError(() => loadProfile(path)).message).toMatch(/p\.yaml:6:40: \/kvmInit\/0\/calls\/0: missing required key "hook"$/);
  });
});

describe('bad input files are one line naming the place, never an internal error', () => {
  it('a second YAML document in a file', () => {
    const path = fileWith('plugin.yaml', `${plugin}---\nid: other\n`);
    expect(inputError(() => loadPlugin(path)).message).toBe(`${path}:${plugin.split('\n').length}:1: expected a single document in the stream, but found more`);
  });

  it('YAML that is not UTF-8 is rejected like C that is not, with its line', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kvm-rules-load-')), 'plugin.yaml');
    writeFileSync(path, Buffer.concat([Buffer.from('id: demo\nsummary: D'), Buffer.from([0xe9]), Buffer.from('mo arch\n')]));
    expect(inputError(() => loadPlugin(path)).message).toBe(`${path}:2: not UTF-8 text (first bad byte on line 2)`);
  });

  it("a plugin package's package.json is JSON, and an object", () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-pkg-'));
    writeFileSync(join(dir, 'package.json'), 'null\n');
    expect(inputError(() => readPluginPackage(dir)).message).toBe(
      `${join(dir, 'package.json')}:1:1: ${dir} is not a plugin package: its package.json is not an object`,
    );
    writeFileSync(join(dir, 'package.json'), 'name: yaml-not-json\n');
    expect(inputError(() => readPluginPackage(dir)).message).toMatch(/^.*package\.json: not JSON: /);
  });

  it('a string too long for any name is placed and refused before a schema pattern can run on it', () => {
    const path = fileWith('plugin.yaml', plugin.replace('id: demo', `id: ${'d'.repeat(100_000)}`));
    expect(inputError(() => loadPlugin(path)).message).toBe(`${path}:1:5: a string of 100000 characters, over the 64 KB any value may have`);
  });

  it('a file over 4 MB, and a FIFO, are not read', () => {
    const big = fileWith('plugin.yaml', `${plugin}# ${'x'.repeat(5 << 20)}\n`);
    expect(inputError(() => loadPlugin(big)).message).toBe(`${big}: larger than 4 MB: not a kvm-rules input file`);
    const fifo = join(mkdtempSync(join(tmpdir(), 'kvm-rules-load-')), 'plugin.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(inputError(() => loadPlugin(fifo)).message).toBe(`${fifo}: not a regular file`);
  });
});
