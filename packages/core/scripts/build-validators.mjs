#!/usr/bin/env node
// Compiles JSON Schemas into plain validation functions with ajv's standalone code generation,
// so that a check run does not load and run the ajv compiler. Writes CommonJS, so that the
// loader can require() it synchronously.
//
//   build-validators.mjs                       core's file schemas → dist/validators.cjs
//   build-validators.mjs KINDS_MODULE OUT.cjs  the options schemas of a package's rule kinds
//                                              (its export `kinds`), for usePrecompiledValidators()
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
// From the package's entry: after the build, dist/ holds core as one bundle (scripts/bundle-dist.mjs).
import * as core from '../dist/index.js';

const { AJV_OPTIONS, schemaKey } = core;

async function schemasToCompile(kindsModule) {
  if (!kindsModule)
    return Object.entries(core)
      .filter(([name]) => name.endsWith('Schema'))
      .map(([, schema]) => schema);
  const { kinds } = await import(pathToFileURL(resolve(kindsModule)).href);
  return kinds.flatMap((kind) => kind.meta.schema);
}

const [kindsModule, out = new URL('../dist/validators.cjs', import.meta.url)] = process.argv.slice(2);
const schemas = await schemasToCompile(kindsModule);
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const exports = {};
schemas.forEach((schema, i) => {
  const name = `v${i}`;
  ajv.addSchema(schema, name);
  exports[name] = name;
});
const code = standaloneCode.default(ajv, exports);
const index =
  `exports.byKey = new Map([\n${schemas.map((s, i) => `  [${JSON.stringify(schemaKey(s))}, exports.v${i}],`).join('\n')}\n]);\n` +
  // By $id too, for a reader that must not load the schemas themselves (a --cache hit).
  `exports.byId = new Map([\n${schemas.flatMap((s, i) => (s.$id ? [`  [${JSON.stringify(s.$id)}, exports.v${i}],`] : [])).join('\n')}\n]);\n`;
writeFileSync(out, `${code}\n${index}`);
console.log(`${out}: ${schemas.length} validators`);
