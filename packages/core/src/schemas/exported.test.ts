// The JSON Schema files written at build time for editors (schemas/*.schema.json): one per
// schema of schemas/index.ts, equal to it, standalone, and right about this repository's files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateSource } from '../load/validate.js';
import { parseSourceText } from '../load/yaml-source.js';
import { SCHEMA_DRAFT, schemaFileName } from './exported.js';
import * as schemas from './index.js';
import { configSchema } from './index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));
const schemaPath = (name: string) => `${schemasDir}${name}.schema.json`;

/** Every schema of schemas/index.ts, by the name of its file. */
const inCode = new Map(
  Object.entries(schemas).flatMap(([exportName, schema]) => {
    const name = schemaFileName(exportName);
    return name === undefined ? [] : [[name, schema as Record<string, unknown>] as const];
  }),
);

const readSchemaFile = (name: string) => JSON.parse(readFileSync(schemaPath(name), 'utf8')) as Record<string, unknown>;

/** A validator from the exported file alone, with ajv's defaults: no other schema, format or keyword is known to it. */
function compile(name: string) {
  const warnings: string[] = [];
  const collect = (...args: unknown[]) => void warnings.push(args.join(' '));
  const validate = new Ajv({ logger: { log: collect, warn: collect, error: collect } }).compile(readSchemaFile(name));
  return { validate, warnings };
}

const yamlFiles = (dir: string) =>
  readdirSync(`${root}${dir}`)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => `${dir}/${file}`);

/** This repository's YAML files, each with the schema it is written against. */
const realFiles: [file: string, schema: string][] = [
  ...readdirSync(`${root}packages/plugins`)
    .sort()
    .map((arch): [string, string] => [`packages/plugins/${arch}/plugin.yaml`, 'plugin']),
  ...yamlFiles('rules').map((file): [string, string] => [file, 'rule-file']),
  ...yamlFiles('packages/core/profiles').map((file): [string, string] => [file, 'profile']),
];

const readYaml = (file: string) => parseYaml(readFileSync(`${root}${file}`, 'utf8')) as Record<string, unknown>;
const problems = (errors: ErrorObject[] | null | undefined) => (errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`);

describe('the exported JSON Schema files', () => {
  it('are one per schema of schemas/index.ts, named after its export', () => {
    expect([...inCode.keys()]).toEqual(expect.arrayContaining(['plugin', 'profile', 'rule-file', 'baseline', 'config']));
    expect(readdirSync(schemasDir).sort()).toEqual([...inCode.keys()].map((name) => `${name}.schema.json`).sort());
  });

  it('take their names from the export: camelCase to kebab-case, "Schema" dropped', () => {
    expect(schemaFileName('ruleFileSchema')).toBe('rule-file');
    expect(schemaFileName('pluginPackageSchema')).toBe('plugin-package');
    expect(schemaFileName('severity')).toBeUndefined();
  });

  describe.each([...inCode])('%s.schema.json', (name, inCodeSchema) => {
    it('is the schema in code, with $schema and without the $id that names it to ajv', () => {
      const { $schema, ...rest } = readSchemaFile(name);
      const expected: Record<string, unknown> = { title: `kvm-rules ${name}`, ...inCodeSchema };
      delete expected.$id;
      delete expected.$schema;
      expect($schema).toBe(inCodeSchema.$schema ?? SCHEMA_DRAFT);
      expect(rest).toEqual(expected);
      expect(rest.title).toMatch(/^kvm-rules /);
    });

    it('is deterministic JSON: $schema, title, description (if any) first, 2-space indent, final newline', () => {
      const text = readFileSync(schemaPath(name), 'utf8');
      const file = JSON.parse(text) as Record<string, unknown>;
      expect(text).toBe(`${JSON.stringify(file, null, 2)}\n`);
      const head = ['$schema', 'title', ...('description' in inCodeSchema ? ['description'] : [])];
      expect(Object.keys(file).slice(0, head.length)).toEqual(head);
    });

    it('compiles on its own with a plain Ajv (only its legal union types draw a strict-mode note)', () => {
      const { warnings } = compile(name);
      expect(warnings.filter((warning) => !warning.includes('allowUnionTypes'))).toEqual([]);
    });
  });

  it.each(realFiles)('accept %s (%s.schema.json)', (file, schema) => {
    const { validate } = compile(schema);
    validate(readYaml(file));
    expect(problems(validate.errors)).toEqual([]);
  });

  it('cover the plugins, rule files and profiles of the repository', () => {
    for (const schema of ['plugin', 'rule-file', 'profile']) expect(realFiles.filter(([, s]) => s === schema).length, schema).toBeGreaterThan(0);
  });

  it.each([
    ['plugin', { ...readYaml('packages/plugins/mips/plugin.yaml'), kernel: 6.12 }, '/kernel: must be string'],
    ['rule-file', { ...readYaml('rules/kvm-init-last.yaml'), options: [] }, '/options: must be object'],
    ['profile', { ...readYaml('packages/core/profiles/v6.12.yaml'), kvmInit: 'kvm_init' }, '/kvmInit: must be array'],
    ['config', { archs: 'x86-vmx' }, '/archs: must be array'],
    ['baseline', { kvmRulesBaseline: 1, findings: {} }, '/findings: must be array'],
  ])('%s.schema.json rejects a wrong-typed value', (schema, data, problem) => {
    const { validate } = compile(schema);
    expect(validate(data)).toBe(false);
    expect(problems(validate.errors)).toContain(problem);
  });

  it.each(['plugin', 'rule-file', 'profile', 'config'])('%s.schema.json allows a "$schema" key (a string), for JSON files', (schema) => {
    const { validate } = compile(schema);
    // config has no file of this repository to start from: {} is a valid config.
    const example = realFiles.find(([, s]) => s === schema);
    const data = { ...(example ? readYaml(example[0]) : {}) };
    expect(validate({ ...data, $schema: `./node_modules/@kvm-rules/core/schemas/${schema}.schema.json` })).toBe(true);
    expect(validate({ ...data, $schema: 1 })).toBe(false);
  });

  it('the config loader accepts "$schema" in kvm-rules.config.json', () => {
    const text = JSON.stringify({ $schema: './node_modules/@kvm-rules/core/schemas/config.schema.json', archs: ['mips'] });
    const config = validateSource(parseSourceText(text, 'kvm-rules.config.json'), configSchema);
    expect(config.archs).toEqual(['mips']);
  });
});

describe("the modeline of this repository's YAML files", () => {
  it.each(realFiles)('%s starts with "# yaml-language-server: $schema=" and the relative path to %s.schema.json', (file, schema) => {
    const firstLine = readFileSync(`${root}${file}`, 'utf8').split('\n', 1)[0];
    const path = relative(dirname(`${root}${file}`), schemaPath(schema));
    expect(firstLine).toBe(`# yaml-language-server: $schema=${path}`);
  });

  it('is only a comment to the loader, whose places still count its line', () => {
    const source = parseSourceText('# yaml-language-server: $schema=../schemas/profile.schema.json\nid: demo\n', 'demo.yaml');
    expect(source.data).toEqual({ id: 'demo' });
    expect(source.locate('/id')).toEqual({ line: 2, column: 5 });
  });
});
