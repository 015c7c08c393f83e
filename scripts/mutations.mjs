#!/usr/bin/env node
// `npm run mutations`: the cases of scripts/mutations/cases.mjs on copies of Debian's 6.12 and
// 6.1 trees. Each case edits one file (and maybe a second place of it), runs `check --kernel`
// on the arch it is about (in-process, the CLI's runCheck), and compares the findings with those
// of the unedited copy. A bug must add every finding it expects, at the line it expects, and
// nothing else; a control (an equivalent rewrite) must change no finding. plugin-drift is left
// out of both. Prints caught / missed / false alarms per class and exits 1 on any miss or false
// alarm. `npm run mutations -- <id>…` runs only those cases; `--verbose` prints every finding that
// differs.
import { fileURLToPath } from 'node:url';
import { cases } from './mutations/cases.mjs';
import { runCase, treeCopies } from './mutations/harness.mjs';

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

function show(finding) {
  const where = finding.location ? `${finding.location.file}:${finding.location.line}` : '';
  return `${finding.removed ? 'removed' : 'added'} ${finding.severity} ${finding.ruleId} ${finding.arch} ${where}  ${finding.message}`;
}

const { copies, remove } = treeCopies(new Set(selected.map((c) => c.tree)));
try {
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
  console.log(
    `${'class'.padEnd(22)}${'bugs'.padStart(5)}${'caught'.padStart(8)}${'missed'.padStart(8)}${'controls'.padStart(10)}${'false alarms'.padStart(14)}`,
  );
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
    console.log(
      `${name.padEnd(22)}${String(row.bugs).padStart(5)}${String(row.caught).padStart(8)}${String(row.missed).padStart(8)}${String(row.controls).padStart(10)}${String(row.alarms).padStart(14)}`,
    );
  }
  console.log(
    `${'all'.padEnd(22)}${String(total.bugs).padStart(5)}${String(total.caught).padStart(8)}${String(total.missed).padStart(8)}${String(total.controls).padStart(10)}${String(total.alarms).padStart(14)}`,
  );
  process.exitCode = total.missed > 0 || total.alarms > 0 ? 1 : 0;
} finally {
  remove();
}
