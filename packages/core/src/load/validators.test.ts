import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { pluginSchema, profileSchema, ruleFileSchema } from '../schemas/index.js';
import { schemaKey } from './ajv-options.js';

const require = createRequire(import.meta.url);

describe('build-time validators (dist/validators.cjs)', () => {
  it('cover every built-in schema, so that a check run never loads the ajv compiler', () => {
    const { byKey } = require('../../dist/validators.cjs') as { byKey: Map<string, unknown> };
    const schemas: object[] = [pluginSchema, profileSchema, ruleFileSchema];
    for (const schema of schemas) expect(byKey.has(schemaKey(schema)), JSON.stringify(schema).slice(0, 80)).toBe(true);
  });
});
