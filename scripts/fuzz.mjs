#!/usr/bin/env node
// `npm run fuzz`: seeded fuzz campaigns against `kvm-rules check` on copies of the late-percpu
// fixture (scripts/fuzz/cases.mjs draws the cases, scripts/fuzz/harness.mjs runs and judges them;
// the contract is in the harness's header). Campaigns: C mutations of one .c file, declarative
// inputs (plugin.yaml, --config), faults (plugin path, -o path, standard output, --cache-location file,
// what runs keep in the user's cache directory).
// Prints a table per campaign and every contract break (with its command and a one-line
// reproduction), and exits 1 on any break.
//   node scripts/fuzz.mjs [--seed N] [--count N] [--jobs N] [--campaigns c-mutations,declarative,faults]
//                         [--only c3,d17,f0] [--verbose]
// --count is the number of cases per campaign (default 100); --seed defaults to 1.
import { formatTable, runFuzz } from './fuzz/harness.mjs';

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = args[i + 1];
  if (value === undefined) {
    console.error(`fuzz: ${name} needs a value`);
    process.exit(2);
  }
  return value;
}
function integer(name, fallback) {
  const value = option(name, undefined);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    console.error(`fuzz: ${name} wants a non-negative integer, not ${value}`);
    process.exit(2);
  }
  return Number(value);
}

const seed = integer('--seed', 1);
const count = integer('--count', 100);
const jobs = integer('--jobs', undefined);
const only = option('--only', '').split(',').filter(Boolean);
const campaigns = option('--campaigns', 'c-mutations,declarative,faults').split(',').filter(Boolean);
const verbose = args.includes('--verbose');

const started = performance.now();
const { rows, breaks } = await runFuzz({
  seed,
  count,
  campaigns,
  ...(jobs ? { jobs } : {}),
  only,
  log: verbose ? (line) => console.log(line) : () => undefined,
});
console.log(`fuzz: seed ${seed}, ${count} cases per campaign${only.length > 0 ? ` (only ${only.join(', ')})` : ''}`);
console.log(formatTable(rows));
for (const b of breaks) {
  console.log('');
  console.log(`BREAK ${b.id} (${b.campaign}, ${b.kind}: ${b.what}): ${b.breaks.join(', ')}`);
  console.log(`  ${b.command}`);
  console.log(`  ${b.output}`);
  console.log(`  reproduce: ${b.repro}`);
}
console.log(`\nfuzz: ${breaks.length} contract break${breaks.length === 1 ? '' : 's'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
process.exitCode = breaks.length > 0 ? 1 : 0;
