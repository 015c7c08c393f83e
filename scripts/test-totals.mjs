#!/usr/bin/env node
// Prints "N passed, N failed" over the vitest JSON reports of the test lanes (see
// scripts/test.mjs and vitest.shared.mjs), so that CI can read the count of the whole suite.
// A package with a lane's script must have left that lane's report: a missing report would
// hide tests that never ran, so it fails the count.
//   node scripts/test-totals.mjs [unit|kernel]   (default: both)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LANES = ['unit', 'kernel'];
const root = fileURLToPath(new URL('..', import.meta.url));

function packageDirs() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const base = join(root, pattern.slice(0, -2));
    return readdirSync(base).map((name) => join(base, name));
  });
}

/** Prints the totals of `lanes`; returns whether every report is there and nothing failed. */
export function totals(lanes = LANES) {
  let passed = 0;
  let failed = 0;
  const missing = [];
  for (const dir of packageDirs()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const lane of lanes) {
      if (!pkg.scripts?.[`test:${lane}`]) continue;
      const report = join(dir, `.test-report.${lane}.json`);
      if (!existsSync(report)) {
        missing.push(`${pkg.name} (${lane})`);
        continue;
      }
      const result = JSON.parse(readFileSync(report, 'utf8'));
      passed += result.numPassedTests;
      failed += result.numFailedTests;
    }
  }
  for (const name of missing) console.error(`no test report from ${name}`);
  console.log(`${passed} passed, ${failed} failed`);
  return missing.length === 0 && failed === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lane = process.argv[2];
  if (lane !== undefined && !LANES.includes(lane)) {
    console.error(`test-totals: unknown lane "${lane}" (${LANES.join(', ')})`);
    process.exit(2);
  }
  process.exit(totals(lane ? [lane] : LANES) ? 0 : 1);
}
