// The fuzz suite's mechanism, shared by `npm run fuzz` (scripts/fuzz.mjs) and the CLI's test
// suite (packages/cli/test/fuzz.kernel.test.ts): seeded cases (scripts/fuzz/cases.mjs) on copies of the
// late-percpu fixture, each run as a child process (`node packages/cli/bin/kvm-rules.js check …
// --format json`) under a time bound, and judged against the CLI's contract.
//
// The contract, for every run of every campaign (a break of any is a "contract break"):
//   - it ends within the bound: max(5 s, 10 × the unmutated run of the same worker); a run still
//     going is killed and counted as a hang;
//   - stderr never holds "internal error" nor a stack trace (a line "    at f (file:1:2)");
//   - the exit code is 0, 1 or 2 (a signal is a break);
//   - exit 2 (bad input) prints exactly one stderr line, starting "kvm-rules: ";
//   - exit 0 or 1 without -o prints a JSON report on stdout.
// Campaign 1 (C mutations of one .c file of the tree) also asks:
//   - determinism: the case run twice gives the same exit code, stdout and stderr;
//   - no silent pass. A case is a silent pass when ALL of these hold:
//       (a) the mutation is a removed `{` or `}` (outside comment lines), or a truncation, whose
//           place is inside kvm_init() (virt/kvm/kvm_main.c), the hardware-disable hook
//           kvm_arch_disable_virtualization_cpu() (x86.c) or demo_vmx_init() (vmx/vmx.c):
//           after the first byte of the function's header line and before its closing brace
//           (the first "\n}" after the header);
//       (b) the run's exit code is the unmutated run's;
//       (c) no finding's ruleId starts with "source-";
//       (d) the findings are those of the unmutated run (ruleId, arch, severity, file, message
//           without line numbers: the same multiset).
//     Other kinds (a deleted, duplicated or swapped line, a long line…) can be harmless, so they
//     are never counted as silent passes.
// Campaign 2 (declarative inputs: the fixture's plugin.yaml, a kvm-rules.config.yaml given with
// --config) asks the contract above, run once per case.
// Campaign 3 (faults around the run) asks the contract above, and:
//   - a corrupted --cache-location file is no cache: the same exit code and findings as the run
//     without --cache (a difference is a break named "cache");
//   - an unwritable -o path (under a regular file, /dev/full, a folder) is not silent: exit 0/1
//     with an empty stderr loses the report without a word, counted as a silent pass;
//   - so is unwritable standard output (/dev/full, or a pipe whose reader has gone): the report
//     is lost, so the run must say so (exit 2, one line), not exit 0/1 as if it were delivered;
//   - what runs keep in the user's cache directory (XDG_CACHE_HOME: the YAML parses, the C
//     files), each entry broken (random bytes, cut short, a FIFO) or the folder unwritable, is
//     no cache: the same exit code and findings as the plain run (a difference is "kept").
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE_CONFIG, C_FILES, cCase, declarativeCase, faultCase } from './cases.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'packages/cli/bin/kvm-rules.js');
const fixture = join(root, 'packages/kernel-source/test/fixtures/late-percpu');
export const CAMPAIGNS = ['c-mutations', 'declarative', 'faults'];
const PREFIX = { 'c-mutations': 'c', declarative: 'd', faults: 'f' };

/**
 * Runs the CLI as a child process; a run past `timeout` ms is killed (`hang`). `stdout`: 'pipe'
 * (read), 'dev-full' (a device every write to fails) or 'gone' (a pipe closed before the child writes).
 */
export function runCli(args, { cwd, timeout, stdout = 'pipe', env = process.env }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const full = stdout === 'dev-full' ? openSync('/dev/full', 'w') : undefined;
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', full ?? 'pipe', 'pipe'] });
    if (full !== undefined) closeSync(full);
    if (stdout === 'gone') child.stdout.destroy();
    const out = [];
    const err = [];
    let hang = false;
    const timer = setTimeout(() => {
      hang = true;
      child.kill('SIGKILL');
    }, timeout);
    child.stdout?.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        hang,
        ms: performance.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** A finding as compared: rule, arch, severity, file, and its message without line numbers. */
function keyOf(finding) {
  const message = finding.message.replace(/(\.[A-Za-z]+):\d+(?::\d+)?/g, '$1');
  return `${finding.ruleId}|${finding.arch}|${finding.severity}|${finding.location?.file ?? ''}|${message}`;
}

function findingsOf(run) {
  try {
    return JSON.parse(run.stdout).findings ?? [];
  } catch {
    return undefined;
  }
}

function sameFindings(a, b) {
  if (!a || !b) return false;
  const x = a.map(keyOf).sort();
  const y = b.map(keyOf).sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}

/** The contract breaks of one run (see the header); `report` is false when -o takes the report. */
function contractBreaks(run, { report = true } = {}) {
  const breaks = [];
  if (run.hang) return ['hang'];
  if (/internal error/.test(run.stderr)) breaks.push('internal');
  if (/^\s+at .*(:\d+:\d+\)?|\(native\)|<anonymous>\)?)$/m.test(run.stderr)) breaks.push('stack-trace');
  if (![0, 1, 2].includes(run.code)) breaks.push(`exit ${run.code ?? run.signal}`);
  if (run.code === 2) {
    const lines = run.stderr.replace(/\n$/, '').split('\n');
    if (lines.length !== 1 || !lines[0].startsWith('kvm-rules: ')) breaks.push('bad-input-not-one-line');
  }
  if ((run.code === 0 || run.code === 1) && report && findingsOf(run) === undefined) breaks.push('no-json-report');
  return breaks;
}

/** A worker's copy of the fixture (and a folder beside it for configs, caches, FIFOs…). */
function makeWorkspace() {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-fuzz-'));
  const tree = join(dir, 'tree');
  cpSync(fixture, tree, { recursive: true, dereference: true });
  mkdirSync(join(dir, 'conf'));
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'a-file'), 'a regular file\n');
  spawnSync('mkfifo', [join(dir, 'a-fifo')]);
  return { dir, tree, plugin: join(tree, 'plugin.yaml'), config: join(dir, 'conf', 'kvm-rules.config.yaml'), cache: join(dir, 'cache.json') };
}

function baseArgs(ws) {
  return ['check', '--kernel', ws.tree, '--plugin', ws.plugin, '--arch', 'demo-vmx', '--format', 'json'];
}

/** The unmutated runs a worker compares with, and its time bound. */
async function baselines(ws) {
  const plain = await runCli(baseArgs(ws), { cwd: ws.dir, timeout: 120_000 });
  writeFileSync(ws.config, BASE_CONFIG);
  const configured = await runCli([...baseArgs(ws), '--config', ws.config], { cwd: ws.dir, timeout: 120_000 });
  const validCache = join(ws.dir, 'valid-cache.json');
  await runCli([...baseArgs(ws), '--cache', '--cache-location', validCache], { cwd: ws.dir, timeout: 120_000 });
  for (const [name, run] of [
    ['plain', plain],
    ['--config', configured],
  ]) {
    if (contractBreaks(run).length > 0 || findingsOf(run) === undefined) {
      throw new Error(`fuzz: the unmutated ${name} run fails: exit ${run.code}\n${run.stderr}`);
    }
  }
  let cacheBytes;
  try {
    cacheBytes = readFileSync(validCache);
  } catch {
    cacheBytes = Buffer.from('{"kvmRulesCache":1,"entries":{}}');
  }
  return { plain, configured, cacheBytes, bound: Math.max(5000, 10 * plain.ms) };
}

/** The command line of a run, as a shell would take it (paths relative to the repository). */
function commandLine(args, ws) {
  const shown = args.map((a) => (a.startsWith(ws.dir) ? a : a.startsWith(root) ? relative(root, a) : a));
  return `node packages/cli/bin/kvm-rules.js ${shown.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
}

function excerpt(run) {
  const text = run.hang
    ? `(killed after ${Math.round(run.ms)} ms)`
    : `exit ${run.code ?? run.signal}; stderr: ${run.stderr.trim().split('\n').slice(0, 6).join('\n    ') || '(empty)'}`;
  return text.length > 1200 ? `${text.slice(0, 1200)}…` : text;
}

// ---------------------------------------------------------------------------------------------

async function runCCase(ws, base, c) {
  const path = join(ws.tree, c.file);
  const original = readFileSync(path);
  const args = baseArgs(ws);
  writeFileSync(path, c.bytes);
  let first;
  let second;
  try {
    first = await runCli(args, { cwd: ws.dir, timeout: base.bound });
    second = first.hang ? undefined : await runCli(args, { cwd: ws.dir, timeout: base.bound });
  } finally {
    writeFileSync(path, original);
  }
  const breaks = contractBreaks(first);
  if (second) {
    for (const b of contractBreaks(second)) if (!breaks.includes(b)) breaks.push(b);
    if (second.code !== first.code || second.stdout !== first.stdout || second.stderr !== first.stderr) breaks.push('nondeterministic');
  }
  if (c.mustShow && !first.hang && first.code === base.plain.code) {
    const findings = findingsOf(first);
    if (findings && !findings.some((f) => f.ruleId.startsWith('source-')) && sameFindings(findings, findingsOf(base.plain))) breaks.push('silent');
  }
  return { run: first, breaks, command: commandLine(args, ws), runs: second ? 2 : 1 };
}

async function runDeclarativeCase(ws, base, d) {
  const path = d.target === 'plugin' ? ws.plugin : ws.config;
  const original = readFileSync(path);
  const args = [...baseArgs(ws), '--config', ws.config];
  writeFileSync(path, d.bytes);
  let run;
  try {
    run = await runCli(args, { cwd: ws.dir, timeout: base.bound });
  } finally {
    writeFileSync(path, original);
  }
  return { run, breaks: contractBreaks(run), command: commandLine(args, ws), runs: 1 };
}

async function runFaultCase(ws, base, f) {
  let args = baseArgs(ws);
  let report = true;
  const output = { 'output-under-file': join(ws.dir, 'a-file', 'report.json'), 'output-dev-full': '/dev/full', 'output-directory': join(ws.dir, 'a-folder') }[
    f.kind
  ];
  const plugin = {
    'plugin-missing': join(ws.dir, 'no-such-folder', 'plugin.yaml'),
    'plugin-directory': join(ws.dir, 'a-folder'),
    'plugin-fifo': join(ws.dir, 'a-fifo'),
  }[f.kind];
  const stdout = { 'stdout-dev-full': 'dev-full', 'stdout-gone': 'gone' }[f.kind];
  if (f.kind.startsWith('kept-')) return runKeptCase(ws, base, f, args);
  const cache = f.kind.startsWith('cache-');
  if (plugin) args = args.map((a) => (a === ws.plugin ? plugin : a));
  if (output) {
    args = [...args, '-o', output];
    report = false;
  }
  if (cache) {
    const bytes = f.kind === 'cache-truncated' ? base.cacheBytes.subarray(0, Math.floor(Number(f.detail) * base.cacheBytes.length)) : f.bytes;
    writeFileSync(ws.cache, bytes);
    args = [...args, '--cache', '--cache-location', ws.cache];
  }
  if (stdout) report = false;
  const run = await runCli(args, { cwd: ws.dir, timeout: base.bound, ...(stdout ? { stdout } : {}) });
  const breaks = contractBreaks(run, { report });
  if (cache && !run.hang && (run.code !== base.plain.code || !sameFindings(findingsOf(run), findingsOf(base.plain)))) breaks.push('cache');
  if ((output || stdout) && !run.hang && (run.code === 0 || run.code === 1) && run.stderr.trim() === '') breaks.push('silent');
  return { run, breaks, command: commandLine(args, ws), runs: 1 };
}

/** A run over a cache directory a first run filled, each entry then broken (or the directory a file). */
async function runKeptCase(ws, base, f, args) {
  const home = mkdtempSync(join(ws.dir, 'xdg-'));
  const env = { ...process.env, XDG_CACHE_HOME: home };
  delete env.KVM_RULES_PARSE_CACHE;
  if (f.kind === 'kept-unwritable') {
    rmSync(home, { recursive: true });
    writeFileSync(home, 'a file where the cache directory would be\n');
  } else {
    await runCli(args, { cwd: ws.dir, timeout: base.bound, env });
    for (const store of readdirSync(join(home, 'kvm-rules'))) {
      for (const name of readdirSync(join(home, 'kvm-rules', store))) breakEntry(join(home, 'kvm-rules', store, name), f);
    }
  }
  const run = await runCli(args, { cwd: ws.dir, timeout: base.bound, env });
  rmSync(home, { recursive: true, force: true });
  const breaks = contractBreaks(run);
  if (!run.hang && (run.code !== base.plain.code || !sameFindings(findingsOf(run), findingsOf(base.plain)))) breaks.push('kept');
  return { run, breaks, command: `XDG_CACHE_HOME=<${f.kind}> ${commandLine(args, ws)}`, runs: 2 };
}

function breakEntry(path, f) {
  if (f.kind === 'kept-random-bytes') writeFileSync(path, f.bytes);
  else if (f.kind === 'kept-truncated') {
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, Math.floor(Number(f.detail) * bytes.length)));
  } else {
    rmSync(path);
    spawnSync('mkfifo', [path]);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs the campaigns: `count` cases each (or { [campaign]: n }), `jobs` at a time (one copy of the fixture per worker).
 * `only`: case ids (c3, d17, f0) to run alone. Returns { rows, breaks } (see formatTable).
 */
export async function runFuzz({
  seed = 1,
  count = 100,
  jobs = Math.min(availableParallelism(), 4),
  only = [],
  campaigns = CAMPAIGNS,
  log = () => undefined,
} = {}) {
  const originals = new Map([...C_FILES, 'plugin.yaml'].map((f) => [f, readFileSync(join(fixture, f)).toString('latin1')]));
  const workspaces = [];
  const rows = [];
  const breaks = [];
  try {
    for (let w = 0; w < jobs; w++) workspaces.push(makeWorkspace());
    const bases = await Promise.all(workspaces.map(baselines));
    for (const campaign of campaigns) {
      const prefix = PREFIX[campaign];
      let indices = Array.from({ length: typeof count === 'number' ? count : (count[campaign] ?? 0) }, (_, i) => i);
      if (only.length > 0) indices = only.filter((id) => id.startsWith(prefix) && /^\w\d+$/.test(id)).map((id) => Number(id.slice(1)));
      if (indices.length === 0) continue;
      const cases = indices.map((i) =>
        campaign === 'c-mutations' ? cCase(seed, i, originals) : campaign === 'declarative' ? declarativeCase(seed, i, originals) : faultCase(seed, i),
      );
      const results = new Array(cases.length);
      const started = performance.now();
      let next = 0;
      await Promise.all(
        workspaces.map(async (ws, w) => {
          while (next < cases.length) {
            const k = next++;
            const c = cases[k];
            const run = campaign === 'c-mutations' ? runCCase : campaign === 'declarative' ? runDeclarativeCase : runFaultCase;
            results[k] = { case: c, ...(await run(ws, bases[w], c)) };
            log(
              `${results[k].breaks.length > 0 ? 'BREAK' : 'ok   '} ${c.id.padEnd(5)} ${c.kind.padEnd(18)} ${c.file ?? c.target ?? ''} ${c.detail ?? ''} → ${results[k].run.hang ? 'hang' : `exit ${results[k].run.code}`} ${results[k].breaks.join(', ')}`,
            );
          }
        }),
      );
      const wall = performance.now() - started;
      const tally = (test) => results.filter(test).length;
      rows.push({
        campaign,
        runs: results.length,
        exit0: tally((r) => !r.run.hang && r.run.code === 0),
        exit1: tally((r) => !r.run.hang && r.run.code === 1),
        exit2: tally((r) => !r.run.hang && r.run.code === 2),
        internal: tally((r) => r.breaks.includes('internal')),
        hangs: tally((r) => r.breaks.includes('hang')),
        silent: tally((r) => r.breaks.includes('silent')),
        other: tally((r) => r.breaks.some((b) => !['internal', 'hang', 'silent'].includes(b))),
        maxMs: Math.max(...results.map((r) => r.run.ms)),
        wall,
      });
      for (const r of results) {
        if (r.breaks.length === 0) continue;
        const c = r.case;
        breaks.push({
          campaign,
          id: c.id,
          kind: c.kind,
          what: `${c.file ?? c.target ?? ''} ${c.detail ?? ''}`.trim(),
          breaks: r.breaks,
          command: r.command,
          output: excerpt(r.run),
          repro: `npm run fuzz -- --seed ${seed} --only ${c.id}`,
        });
      }
    }
  } finally {
    for (const ws of workspaces) rmSync(ws.dir, { recursive: true, force: true });
  }
  return { seed, rows, breaks };
}

/** The table of runFuzz's rows, one line per campaign and a total. */
export function formatTable(rows) {
  const columns = [
    ['campaign', (r) => r.campaign, 14],
    ['runs', (r) => r.runs, 6],
    ['ok(0)', (r) => r.exit0, 7],
    ['exit 2', (r) => r.exit2, 8],
    ['exit 1', (r) => r.exit1, 8],
    ['internal', (r) => r.internal, 10],
    ['hangs', (r) => r.hangs, 7],
    ['silent', (r) => r.silent, 8],
    ['other', (r) => r.other, 7],
    ['max run', (r) => `${(r.maxMs / 1000).toFixed(1)}s`, 9],
    ['wall', (r) => `${(r.wall / 1000).toFixed(1)}s`, 9],
  ];
  const total = { campaign: 'all', maxMs: 0 };
  for (const r of rows)
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number') total[k] = k === 'maxMs' ? Math.max(total[k], v) : (total[k] ?? 0) + v;
  const line = (r) => columns.map(([, get, w], i) => (i === 0 ? String(get(r)).padEnd(w) : String(get(r)).padStart(w))).join('');
  return [
    columns.map(([name, , w], i) => (i === 0 ? name.padEnd(w) : name.padStart(w))).join(''),
    ...rows.map(line),
    ...(rows.length > 1 ? [line(total)] : []),
  ].join('\n');
}
