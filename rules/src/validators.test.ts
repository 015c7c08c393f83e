import { createRequire } from 'node:module';
import { schemaKey } from '@kvm-rules/core';
import { describe, expect, it } from 'vitest';
import { kinds } from './index.js';

const require = createRequire(import.meta.url);

describe('build-time validators (dist/validators.cjs)', () => {
  it("cover every kind's options schema, so that loading the rule files never loads the ajv compiler", () => {
    const { byKey } = require('../dist/validators.cjs') as { byKey: Map<string, unknown> };
    const schemas = kinds.flatMap((kind) => kind.meta.schema as object[]);
    expect(schemas.length).toBeGreaterThan(0);
    for (const schema of schemas) expect(byKey.has(schemaKey(schema)), JSON.stringify(schema).slice(0, 80)).toBe(true);
  });
});
