#!/usr/bin/env node
// Wall time of `kvm-rules check` with every plugin, once per profile, beside bare `node -e 0`
// on the same machine; then, on the Linux 6.12 tree, `kvm-rules check --kernel` beside
// Coccinelle's spatch doing the simplest piece of that job (scripts/cocci/after-kvm-init.cocci:
// the calls each arch init makes after kvm_init()): run again on the tree, run on it for the
// first time, and with nothing kept (KERNEL_WAYS). The median of several runs each; the
// kernel-tree commands in rounds, one of each in turn, their ratio the median of the rounds'
// ratios. Prints figures; asserts nothing. Exits 1 if a command it times fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchKernel } from './kernels.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// A kernel-tree run takes seconds, not milliseconds: fewer of them keep the bench short.
const KERNEL_RUNS = Number(process.env.BENCH_KERNEL_RUNS ?? 5);
const KERNEL = '6.12';
const LABEL_WIDTH = 46;
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../packages/cli/bin/kvm-rules.js', import.meta.url));
const cocci = fileURLToPath(new URL('./cocci/after-kvm-init.cocci', import.meta.url));
const profiles = readdirSync(new URL('../packages/core/profiles', import.meta.url))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''))
  .sort();

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// One run: its wall time and stdout, or { failed } with the run when its exit status is not in `ok`.
function timeOnce(command, args, { cwd = root, ok = [0, 1], env = process.env } = {}) {
  const start = process.hrtime.bigint();
  // stdout is piped, not ignored, for the JSON stats and spatch's list; 256 MB, as a JSON
  // report on a whole tree may be large.
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 2 ** 28, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  return ok.includes(result.status) ? { ms, stdout: result.stdout } : { failed: result };
}

// Runs `command` runs + 1 times; the first run only warms the file cache. Returns the median
// wall time and the last run's stdout, or { failed } with the first failing run, which is not
// repeated: its stderr says more than its time would.
function measure(command, args, { cwd = root, runs = RUNS, ok = [0, 1] } = {}) {
  const samples = [];
  let run;
  for (let i = 0; i < runs + 1; i++) {
    run = timeOnce(command, args, { cwd, ok });
    if (run.failed) return run;
    if (i > 0) samples.push(run.ms);
  }
  return { ms: median(samples), stdout: run.stdout };
}

// The profile runs need no network or kernel tree: a failure there is a broken build.
function time(args) {
  const run = measure(process.execPath, args);
  if (run.failed) throw new Error(`${args.join(' ')} exited ${run.failed.status}: ${run.failed.stderr}`);
  return run.ms;
}

function line(label, ms, note) {
  const figure = `${label.padEnd(LABEL_WIDTH)} ${ms.toFixed(1).padStart(7)} ms`;
  console.log(note ? `${figure}  ${note}` : figure);
}

function failed(label, result) {
  process.exitCode = 1;
  console.log(`${label.padEnd(LABEL_WIDTH)} failed: exit ${result.status}`);
  for (const text of result.stderr.trimEnd().split('\n')) console.log(text && `  ${text}`);
}

// How much of the tree the run read, from `stats` of the JSON report ("n/a" without it).
function treeRead(stdout) {
  try {
    const stats = JSON.parse(stdout)?.stats;
    return stats ? `${stats.filesRead} files read, ${stats.functionsParsed} functions parsed` : 'n/a';
  } catch {
    return 'n/a';
  }
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

// spatch finds its Python by running `python3` from PATH; a pyenv or conda shim there runs
// shell scripts on every start (0.7 s a run where this was written), which is not
// Coccinelle's time. The python3 installed beside spatch is the one its package was built for.
function pythonArgs(spatch) {
  const python = join(dirname(spatch), 'python3');
  return existsSync(python) ? ['--python', python] : [];
}

// --cache: each first run (cache file removed before it) reads the tree; the second one
// answers from the cache. Both are timed the same way, one pair at a time.
function benchCache(tree, uncachedMs) {
  const label = `kvm-rules check --kernel ${KERNEL} --cache`;
  const location = join(mkdtempSync(join(tmpdir(), 'kvm-rules-bench-')), 'cache.json');
  const args = [bin, 'check', '--kernel', tree, '--format', 'json', '--cache', '--cache-location', location];
  const first = [];
  const second = [];
  for (let i = 0; i < KERNEL_RUNS; i++) {
    rmSync(location, { force: true });
    for (const samples of [first, second]) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 2 ** 28, stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.status !== 0 && result.status !== 1) return failed(label, result);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  rmSync(dirname(location), { recursive: true, force: true });
  line(`${label}, first run`, median(first), `(uncached: ${uncachedMs?.toFixed(1) ?? 'n/a'} ms)`);
  line(`${label}, second run`, median(second), `${(median(first) / median(second)).toFixed(1)}x faster than the first`);
}

// --format html: the same check, its report drawn (timelines laid out by Graphviz) and written;
// timed in pairs with --format json, what the page adds is the median of the pairs' differences.
function benchHtml(tree) {
  const label = `kvm-rules check --kernel ${KERNEL} --format html`;
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-bench-'));
  const page = join(dir, 'report.html');
  const differences = [];
  const html = [];
  for (let i = 0; i < KERNEL_RUNS; i++) {
    const pair = [];
    for (const format of ['json', 'html']) {
      const start = process.hrtime.bigint();
      const result = spawnSync(process.execPath, [bin, 'check', '--kernel', tree, '--format', format, '-o', join(dir, `report.${format}`)], {
        stdio: 'ignore',
      });
      if (result.status !== 0 && result.status !== 1) return failed(label, { status: result.status, stderr: `--format ${format} failed` });
      pair.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    html.push(pair[1]);
    differences.push(pair[1] - pair[0]);
  }
  const size = statSync(page).size;
  rmSync(dir, { recursive: true, force: true });
  line(label, median(html), `+${median(differences).toFixed(1)} ms over --format json (goal: under 300), ${(size / 1024).toFixed(0)} KB (goal: under 1024)`);
}

// -j 2: spatch spends its time parsing the ten files that mention kvm_init (it skips the rest
// on a token prefilter), and two workers took 1.3 s where one took 2.0 s. --no-includes: the
// semantic patch needs no types, so headers are not parsed.
const SPATCH_LABEL = 'spatch after-kvm-init.cocci --dir arch -j 2';

/**
 * `check --kernel`, timed in turn with spatch where it is installed, one round at a time; their
 * ratio is the median of the rounds' ratios: this machine's speed drifts from one minute to the
 * next, and spatch's own time by a quarter between runs, so medians taken minutes apart compare
 * two different machines. Each round times the check three ways (KERNEL_WAYS). Prints
 * kvm-rules' lines; returns the first way's median and spatch's figures with a ratio per way
 * (undefined without spatch, { failed } when it fails), for a line of their own.
 */
function benchKernelCheck(tree, baseline) {
  const label = `kvm-rules check --kernel ${KERNEL}`;
  const args = [bin, 'check', '--kernel', tree, '--format', 'json'];
  const spatch = which('spatch');
  const spatchArgs = spatch && [...pythonArgs(spatch), '--very-quiet', '--no-includes', '-j', '2', '--sp-file', cocci, '--dir', 'arch'];
  const home = mkdtempSync(join(tmpdir(), 'kvm-rules-bench-'));
  const ways = KERNEL_WAYS.map((way) => ({ ...way, env: way.env(home), ms: [], ratios: [] }));
  const theirs = [];
  let last;
  let listed;
  let spatchFailed;
  // The first round only warms the file cache and the kept files. 1 is findings at error severity, still a complete run.
  for (let i = 0; i < KERNEL_RUNS + 1; i++) {
    const times = [];
    for (const way of ways) {
      way.before?.(home);
      last = timeOnce(process.execPath, args, { ok: [0, 1], env: way.env });
      if (last.failed) return failed(`${label}, ${way.label}`, last.failed);
      times.push(last.ms);
    }
    // A spatch that fails is not run again: kvm-rules is still timed.
    const other = spatch && !spatchFailed ? timeOnce(spatch, spatchArgs, { cwd: tree, ok: [0] }) : undefined;
    if (other?.failed) spatchFailed = other;
    else if (other) listed = other.stdout;
    if (i === 0) continue;
    ways.forEach((way, w) => {
      way.ms.push(times[w]);
      if (other && !other.failed) way.ratios.push(times[w] / other.ms);
    });
    if (other && !other.failed) theirs.push(other.ms);
  }
  rmSync(home, { recursive: true, force: true });
  for (const way of ways) line(`${label}, ${way.label}`, median(way.ms), `${(median(way.ms) / baseline).toFixed(2)}x node start`);
  console.log(`${''.padEnd(LABEL_WIDTH)} ${treeRead(last.stdout)}`);
  const kvmRulesMs = median(ways[0].ms);
  if (!spatch) return { kvmRulesMs, spatch: undefined };
  if (spatchFailed) return { kvmRulesMs, spatch: spatchFailed };
  // Lines, not their text: with two workers spatch prints them in no fixed order.
  const calls = listed.split('\n').filter(Boolean).length;
  const ratios = ways.map((way) => ({ label: way.label, note: way.note, ratio: median(way.ratios) }));
  return { kvmRulesMs, spatch: { ms: median(theirs), calls, ratio: ratios[0].ratio, ratios, pairs: ways[0].ratios.length } };
}

/**
 * The ways `check --kernel` is timed, the first the one the goal is about: run again on a tree it
 * read (each C file's index, facts and paths kept in the user's cache directory); the first run
 * on a tree, which reads every file and writes what it keeps (a cache directory of the bench's
 * own, its C files removed before each run, its YAML parses kept); and with nothing kept or
 * written (KVM_RULES_PARSE_CACHE=0, the YAML parse cache off too).
 */
const KERNEL_WAYS = [
  { label: 'run again', note: 'what earlier runs read is kept', env: () => process.env },
  {
    label: 'first run',
    note: 'of the tree: every file read, what it keeps written',
    env: (home) => ({ ...process.env, XDG_CACHE_HOME: home }),
    before: (home) => rmSync(join(home, 'kvm-rules', 'c-files-v1'), { recursive: true, force: true }),
  },
  { label: 'nothing kept', note: 'KVM_RULES_PARSE_CACHE=0', env: () => ({ ...process.env, KVM_RULES_PARSE_CACHE: '0' }) },
];

function spatchLine(spatch) {
  if (spatch === undefined) {
    console.log(`${SPATCH_LABEL.padEnd(LABEL_WIDTH)} skipped: spatch not found; get it with \`apt-get install -y coccinelle\``);
  } else if (spatch.failed) {
    failed(SPATCH_LABEL, spatch.failed);
  } else {
    line(SPATCH_LABEL, spatch.ms, `${spatch.calls} calls after kvm_init(), kvm-rules/spatch ${spatch.ratio.toFixed(2)} (median of ${spatch.pairs} rounds)`);
  }
}

const baseline = time(['-e', '0']);
console.log(`median of ${RUNS} runs each, ${process.version}, ${process.platform}-${process.arch}`);
line('node -e 0', baseline);
const profileMs = new Map();
for (const profile of profiles) {
  const ms = time([bin, 'check', '--profile', profile, '--format', 'json']);
  profileMs.set(profile, ms);
  line(`kvm-rules check --profile ${profile} (all plugins)`, ms, `${(ms / baseline).toFixed(2)}x node start`);
}

// Fetched only now, so the profile figures above print even where apt-get cannot reach Debian.
const tree = fetchKernel(KERNEL);
console.log(`linux ${KERNEL} at ${relative(root, tree)}, median of ${KERNEL_RUNS} runs each`);
const kernel = benchKernelCheck(tree, baseline);
benchCache(tree, kernel?.kvmRulesMs);
benchHtml(tree);
// spatch's line after the others, as it was measured beside check --kernel (none when that failed).
if (kernel) spatchLine(kernel.spatch);
const spatchRatio = kernel?.spatch?.ratio;

// The two start-up ratios the project holds itself to (figures, not a verdict).
const newest = profiles.at(-1);
const times = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)}x`);
const ratio = (a, b) => times(a === undefined || b === undefined ? undefined : a / b);
console.log('ratios');
console.log(`  check --profile ${newest} / node -e 0:`.padEnd(LABEL_WIDTH + 2) + `${ratio(profileMs.get(newest), baseline)}  (goal: at most 2.5x)`);
console.log(`  check --kernel ${KERNEL} / spatch:`.padEnd(LABEL_WIDTH + 2) + `${times(spatchRatio)}  (goal: at most 0.4x; paired runs)`);
for (const way of kernel?.spatch?.ratios?.slice(1) ?? []) console.log(`    ${way.label}:`.padEnd(LABEL_WIDTH + 2) + `${times(way.ratio)}  (${way.note})`);
