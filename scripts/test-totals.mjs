#!/usr/bin/env node
// Prints "N passed, N failed" over the vitest JSON reports of the test lanes (see
// scripts/test.mjs and vitest.config.mjs), so that CI can read the count of the whole suite.
// Each lane is one vitest run over every package and leaves one report at the root; a missing
// report would hide tests that never ran, so it fails the count.
//   node scripts/test-totals.mjs [unit|kernel]   (default: both)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LANES = ['unit', 'kernel'];
const root = fileURLToPath(new URL('..', import.meta.url));

/** Where the lane's vitest run writes its JSON report (the root package.json's vitest:<lane>). */
export function reportOf(lane) {
  return join(root, `.test-report.${lane}.json`);
}

/** Test files that failed with no test failing: they did not load, so none of their tests ran. */
function brokenFiles(result) {
  return result.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')).length;
}

/** Prints the totals of `lanes`; returns whether every report is there and nothing failed. */
export function totals(lanes = LANES) {
  let passed = 0;
  let failed = 0;
  const missing = lanes.filter((lane) => !existsSync(reportOf(lane)));
  for (const lane of lanes) {
    if (missing.includes(lane)) continue;
    const result = JSON.parse(readFileSync(reportOf(lane), 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests + brokenFiles(result);
  }
  for (const lane of missing) console.error(`no test report from the ${lane} lane`);
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
