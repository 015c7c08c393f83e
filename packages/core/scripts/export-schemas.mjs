#!/usr/bin/env node
// Writes each file schema as a standalone JSON Schema for editors: every export of
// dist/schemas/index.js whose name ends in "Schema" becomes schemas/<kebab-name>.schema.json
// (ruleFileSchema -> rule-file.schema.json), so a schema added later is exported too. A YAML
// file points at one with `# yaml-language-server: $schema=<path>` (docs/editor-schemas.md).
// Run after tsc. Output is deterministic: the schema's own key order, 2-space indent.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as schemas from '../dist/schemas/index.js';
import { schemaFileName, toSchemaFile } from '../dist/schemas/exported.js';

const dir = new URL('../schemas/', import.meta.url);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir);
const written = [];
for (const [exportName, schema] of Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) {
  const name = schemaFileName(exportName);
  if (name === undefined) continue;
  writeFileSync(new URL(`${name}.schema.json`, dir), `${JSON.stringify(toSchemaFile(schema, name), null, 2)}\n`);
  written.push(name);
}
console.log(`schemas/: ${written.map((name) => `${name}.schema.json`).join(', ')}`);
