#!/usr/bin/env node
// Compiles the JSON Schemas of the files kvm-rules reads into
// plain validation functions with ajv's standalone code generation, so that a check run
// does not load and run the ajv compiler. Run after tsc; writes dist/validators.cjs (CommonJS,
// so that the loader can require() it synchronously).
import { writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, schemaKey } from '../dist/load/ajv-options.js';
import { baselineSchema, configSchema, pluginPackageSchema, pluginSchema, profileSchema, ruleFileSchema } from '../dist/schemas/index.js';

const schemas = [pluginSchema, profileSchema, ruleFileSchema, baselineSchema, configSchema, pluginPackageSchema];

const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const exports = {};
schemas.forEach((schema, i) => {
  const name = `v${i}`;
  ajv.addSchema(schema, name);
  exports[name] = name;
});
const code = standaloneCode.default(ajv, exports);
const index = `exports.byKey = new Map([\n${schemas.map((s, i) => `  [${JSON.stringify(schemaKey(s))}, exports.v${i}],`).join('\n')}\n]);\n`;
writeFileSync(new URL('../dist/validators.cjs', import.meta.url), `${code}\n${index}`);
console.log(`dist/validators.cjs: ${schemas.length} validators`);
