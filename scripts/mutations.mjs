#!/usr/bin/env node
// `npm run mutations`: the cases of scripts/mutations/cases.mjs on copies of Debian's 6.12 and
// 6.1 trees. Each case edits one file (and maybe a second place of it), runs `check --kernel`
// on the arch it is about (in-process, the CLI's runCheck), and compares the findings with those
// of the unedited copy. A bug must add every finding it expects, at the line it expects, and
// nothing else; a control (an equivalent rewrite) must change no finding. plugin-drift is left
// out of both. Prints caught / missed / false alarms per class and exits 1 on any miss or false
// alarm. `npm run mutations -- <id>…` runs only those cases; `--verbose` prints every finding that
// differs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../packages/cli/dist/index.js';
import { fetchKernel } from './kernels.mjs';
import { cases } from './mutations/cases.mjs';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const only = args.filter((a) => !a.startsWith('--'));
const selected = only.length > 0 ? cases.filter((c) => only.includes(c.id)) : cases;
if (only.length > 0 && selected.length !== only.length) {
  const known = new Set(cases.map((c) => c.id));
  console.error(`mutations: no case ${only.filter((id) => !known.has(id)).join(', ')}`);
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/** A finding as compared: rule, arch, severity, file, line, and its message without line numbers. */
function keyOf(finding) {
  const message = finding.message.replace(/(\.[A-Za-z]+):\d+(?::\d+)?/g, '$1');
  return `${finding.ruleId}|${finding.arch}|${finding.severity}|${finding.location?.file ?? ''}|${message}`;
}

async function findings(tree, arch) {
  const { result } = await runCheck({ kernel: tree, arch: [arch], variant: [], rule: [], plugin: [], rulesDir: [], format: 'json', color: false });
  return result.findings.filter((f) => f.ruleId !== 'plugin-drift');
}

/** Applies `find` → `replace` (and `also`, `more`), each of which must occur once; returns the original text. */
function edit(tree, change) {
  const path = join(tree, change.file);
  const original = readFileSync(path, 'utf8');
  let text = original;
  for (const { find, replace } of [change, ...(change.also ? [change.also] : []), ...(change.more ? [change.more] : [])]) {
    const count = text.split(find).length - 1;
    if (count !== 1) throw new Error(`${change.id}: the text to replace occurs ${count} times in ${change.file}:\n${find}`);
    text = text.replace(find, () => replace);
  }
  writeFileSync(path, text);
  return { path, original, text };
}

/** The line an expectation names: the first line holding `at`, or the first from the anchor on holding the text. */
function expectedLine(text, at) {
  const [anchor, wanted] = Array.isArray(at) ? at : [at, at];
  const start = text.indexOf(anchor);
  if (start === -1) return undefined;
  const from = text.slice(0, start).split('\n').length;
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(wanted.split('\n')[0])) return i + 1;
  return undefined;
}

function matches(finding, expected, text) {
  return (
    finding.ruleId === expected.rule &&
    finding.arch === expected.arch &&
    finding.location?.file === expected.file &&
    finding.location?.line === expectedLine(text, expected.at) &&
    (!expected.message || finding.message.includes(expected.message))
  );
}

async function runCase(tree, baselines, change) {
  const key = `${change.tree}/${change.arch}`;
  if (!baselines.has(key)) baselines.set(key, await findings(tree, change.arch));
  const before = baselines.get(key);
  const { path, original, text } = edit(tree, change);
  let after;
  try {
    after = await findings(tree, change.arch);
  } finally {
    writeFileSync(path, original);
  }
  const beforeKeys = new Set(before.map(keyOf));
  const afterKeys = new Set(after.map(keyOf));
  const added = after.filter((f) => !beforeKeys.has(keyOf(f)));
  const removed = before.filter((f) => !afterKeys.has(keyOf(f)));
  const expected = change.expect ?? [];
  const missed = expected.filter((e) => !added.some((f) => matches(f, e, text)));
  const unexpected = added.filter((f) => !expected.some((e) => matches(f, e, text)));
  // A finding the edit rewords (the same rule, arch and file, now with one more failure point) is the expected one, not a loss.
  const lost = removed.filter((f) => !(added.some((a) => a.ruleId === f.ruleId && a.arch === f.arch && a.location?.file === f.location?.file) && expected.length > 0));
  return { change, missed, falseAlarms: [...unexpected, ...lost.map((f) => ({ ...f, removed: true }))] };
}

function show(finding) {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}` : '';
  return `${finding.removed ? 'removed' : 'added'} ${finding.severity} ${finding.ruleId} ${finding.arch} ${where}  ${finding.message}`;
}

const copies = new Map();
try {
  for (const version of new Set(selected.map((c) => c.tree))) {
    const copy = mkdtempSync(join(tmpdir(), `kvm-rules-mutations-${version}-`));
    cpSync(fetchKernel(version), copy, { recursive: true });
    copies.set(version, copy);
  }
  const baselines = new Map();
  const results = [];
  for (const change of selected) {
    const result = await runCase(copies.get(change.tree), baselines, change);
    results.push(result);
    const ok = result.missed.length === 0 && result.falseAlarms.length === 0;
    const kind = change.expect ? 'bug' : 'control';
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${change.tree.padEnd(4)} ${kind.padEnd(7)} ${change.class.padEnd(20)} ${change.id}`);
    if (!ok || verbose) {
      for (const e of result.missed) console.log(`       missed: ${e.rule} ${e.arch} ${e.file} at ${JSON.stringify(e.at)}`);
      for (const f of result.falseAlarms) console.log(`       false alarm: ${show(f)}`);
    }
  }
  console.log('');
  console.log(`${'class'.padEnd(22)}${'bugs'.padStart(5)}${'caught'.padStart(8)}${'missed'.padStart(8)}${'controls'.padStart(10)}${'false alarms'.padStart(14)}`);
  const classes = [...new Set(results.map((r) => r.change.class))];
  const total = { bugs: 0, caught: 0, missed: 0, controls: 0, alarms: 0 };
  for (const name of classes) {
    const rows = results.filter((r) => r.change.class === name);
    const bugs = rows.filter((r) => r.change.expect);
    const row = {
      bugs: bugs.length,
      caught: bugs.filter((r) => r.missed.length === 0).length,
      missed: bugs.filter((r) => r.missed.length > 0).length,
      controls: rows.length - bugs.length,
      alarms: rows.reduce((n, r) => n + r.falseAlarms.length, 0),
    };
    for (const k of Object.keys(total)) total[k] += row[k];
    console.log(`${name.padEnd(22)}${String(row.bugs).padStart(5)}${String(row.caught).padStart(8)}${String(row.missed).padStart(8)}${String(row.controls).padStart(10)}${String(row.alarms).padStart(14)}`);
  }
  console.log(`${'all'.padEnd(22)}${String(total.bugs).padStart(5)}${String(total.caught).padStart(8)}${String(total.missed).padStart(8)}${String(total.controls).padStart(10)}${String(total.alarms).padStart(14)}`);
  process.exitCode = total.missed > 0 || total.alarms > 0 ? 1 : 0;
} finally {
  for (const copy of copies.values()) rmSync(copy, { recursive: true, force: true });
}
