#!/usr/bin/env node
// `npm test` (both lanes), `npm run test:unit`, `npm run test:kernel`: runs each lane's turbo
// task, one after the other, and prints the grand total, "N passed, N failed", over their reports.
//   unit:   every package's tests but *.kernel.test.ts: fixtures only, no kernel tree, no npm install.
//   kernel: the *.kernel.test.ts files: real 6.1 and 6.12 trees (fetched here when missing) and
//           end-to-end runs (make, vim, shells, a local registry).
// A lane is one vitest run over every package (the root vitest.config.mjs), the root task
// //#vitest:<lane>: its inputs are every file of the checkout, so turbo replays a lane only
// while nothing changed. The kernel trees are not in the checkout: a fingerprint of every file
// under .cache/kernels (path, size, mtime) goes to turbo as KVM_RULES_KERNEL_TREES, so an
// edited or updated tree reruns the kernel lane instead of replaying its cached pass; so does
// another Node version (KVM_RULES_NODE). Arguments after the lane go to turbo (e.g. --force).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir, fetchKernel, KERNEL_VERSIONS } from './kernels.mjs';
import { LANES, reportOf, totals } from './test-totals.mjs';

const args = process.argv.slice(2);
const lanes = LANES.includes(args[0]) ? [args.shift()] : LANES;

/** A hash of every file under the kernel cache: what the kernel lane's tests read. */
function treesFingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const { size, mtimeMs } = statSync(path);
        hash.update(`${relative(cacheDir, path)}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  if (existsSync(cacheDir)) walk(cacheDir);
  return hash.digest('hex').slice(0, 16);
}

if (lanes.includes('kernel')) for (const version of KERNEL_VERSIONS) fetchKernel(version);
// The Node version too: a pass on Node 20 says nothing of Node 22.
const env = { ...process.env, KVM_RULES_KERNEL_TREES: treesFingerprint(), KVM_RULES_NODE: process.version };
// One lane after the other: each takes every core, and a lane that fails still lets the
// next one run, so that one `npm test` says all of it.
let passed = true;
for (const lane of lanes) {
  // A report left by an earlier run must not stand for this one: turbo writes it again, or
  // restores it from its cache, only when the lane ran or replayed.
  rmSync(reportOf(lane), { force: true });
  const turbo = spawnSync('npx', ['turbo', 'run', `vitest:${lane}`, ...args], { stdio: 'inherit', env });
  passed &&= turbo.status === 0;
}
const counted = totals(lanes);
process.exit(passed && counted ? 0 : 1);
