#!/usr/bin/env node
// Build step: dist/rule-api/rule-creator.js, as tsc wrote it, re-exports RuleCreator from
// @typescript-eslint/utils. Bundled over it, with that package's code inlined, core needs
// @typescript-eslint/utils at build time only (src/rule-api/rule-creator.ts says why).
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../src/rule-api/rule-creator.ts', import.meta.url).pathname],
  outfile: new URL('../dist/rule-api/rule-creator.js', import.meta.url).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  legalComments: 'inline',
  logLevel: 'warning',
});
