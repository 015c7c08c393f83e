import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pluginSchema, profileSchema, ruleFileSchema } from '../schemas/index.js';
import { schemaKey } from './ajv-options.js';
import { schemaProblems, usePrecompiledValidators } from './validate.js';

const require = createRequire(import.meta.url);

describe('build-time validators (dist/validators.cjs)', () => {
  it('cover every built-in schema, so that a check run never loads the ajv compiler', () => {
    const { byKey } = require('../../dist/validators.cjs') as { byKey: Map<string, unknown> };
    const schemas: object[] = [pluginSchema, profileSchema, ruleFileSchema];
    for (const schema of schemas) expect(byKey.has(schemaKey(schema)), JSON.stringify(schema).slice(0, 80)).toBe(true);
  });

  it('a file of them is loaded when a schema is first checked, the file named last first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-validators-'));
    const loaded: string[] = [];
    (globalThis as { kvmRulesValidatorsLoaded?: string[] }).kvmRulesValidatorsLoaded = loaded;
    // Each file's validator passes anything: a value its schema rejects shows which validator ran.
    const validatorsFile = (name: string, schema: object) => {
      const file = join(dir, name);
      writeFileSync(
        file,
        `globalThis.kvmRulesValidatorsLoaded.push(${JSON.stringify(name)});\n` +
          `exports.byKey = new Map([[${JSON.stringify(schemaKey(schema))}, () => true]]);\n`,
      );
      return pathToFileURL(file);
    };
    const kindA = { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false };
    const kindB = { type: 'object', properties: { b: { type: 'string' } }, additionalProperties: false };
    usePrecompiledValidators(validatorsFile('a.cjs', kindA));
    usePrecompiledValidators(validatorsFile('b.cjs', kindB));
    expect(loaded).toEqual([]);
    expect(schemaProblems({ b: 1 }, kindB)).toEqual([]);
    expect(loaded).toEqual(['b.cjs']);
    expect(schemaProblems({ a: 1 }, kindA)).toEqual([]);
    expect(loaded).toEqual(['b.cjs', 'a.cjs']);
  });
});
