#!/usr/bin/env node
// Wall time of `kvm-rules check` with every plugin, once per profile, beside bare `node -e 0`
// on the same machine: the median of several runs each. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../packages/cli/bin/kvm-rules.js', import.meta.url));
const profiles = readdirSync(new URL('../packages/core/profiles', import.meta.url))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''))
  .sort();

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args) {
  const samples = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i > 0) samples.push(ms); // the first run warms the file cache
  }
  return median(samples);
}

const baseline = time(['-e', '0']);
console.log(`median of ${RUNS} runs each, ${process.version}, ${process.platform}-${process.arch}`);
console.log(`${'node -e 0'.padEnd(46)} ${baseline.toFixed(1).padStart(7)} ms`);
for (const profile of profiles) {
  const ms = time([bin, 'check', '--profile', profile, '--format', 'json']);
  const label = `kvm-rules check --profile ${profile} (all plugins)`;
  console.log(`${label.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / baseline).toFixed(2)}x node start`);
}
