#!/usr/bin/env node
// `npm test` (both lanes), `npm run test:unit`, `npm run test:kernel`: runs the lanes' turbo
// tasks and prints the grand total, "N passed, N failed", over the lanes' reports.
//   unit:   every package's tests but *.kernel.test.ts: fixtures only, no kernel tree, no npm install.
//   kernel: the *.kernel.test.ts files: real 6.1 and 6.12 trees (fetched here when missing) and
//           end-to-end runs (make, vim, shells, a local registry).
// The kernel trees are an input of the kernel lane: a fingerprint of every file under
// .cache/kernels (path, size, mtime) goes to turbo as KVM_RULES_KERNEL_TREES, so an edited or
// updated tree reruns the lane instead of replaying its cached pass; so does another Node
// version (KVM_RULES_NODE). Arguments after the lane go to turbo (e.g. --force).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir, fetchKernel, KERNEL_VERSIONS } from './kernels.mjs';
import { LANES, totals } from './test-totals.mjs';

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
const turbo = spawnSync('npx', ['turbo', 'run', ...lanes.map((lane) => `test:${lane}`), ...args], { stdio: 'inherit', env });
const counted = totals(lanes);
process.exit(turbo.status === 0 && counted ? 0 : 1);
