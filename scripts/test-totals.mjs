#!/usr/bin/env node
// Prints "N passed, N failed" over every package's vitest JSON report (see vitest.shared.mjs),
// so that CI can read the count of the whole suite. Exits 1 when a package with tests left no
// report, since a missing report would hide tests that never ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function packageDirs() {
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const base = join(root, pattern.slice(0, -2));
    return readdirSync(base).map((name) => join(base, name));
  });
}

let passed = 0;
let failed = 0;
const missing = [];
for (const dir of packageDirs()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = join(dir, '.test-report.json');
  if (!existsSync(report)) {
    missing.push(pkg.name);
    continue;
  }
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
}
for (const name of missing) console.error(`no test report from ${name}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(missing.length > 0 || failed > 0 ? 1 : 0);
