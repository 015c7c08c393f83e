// The mutation harness's mechanism, shared by `npm run mutations` (scripts/mutations.mjs) and
// the CLI's test suite: copies of the trees, one case applied at a time, its findings compared
// with those of the unedited copy. plugin-drift is left out of both.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck } from '../../packages/cli/dist/index.js';
import { fetchKernel } from '../kernels.mjs';

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

/** `textOf(file)`: the text of a file of the edited tree, where an expectation's `at` is looked for. */
function matches(finding, expected, textOf) {
  return (
    finding.ruleId === expected.rule &&
    finding.arch === expected.arch &&
    finding.location?.file === expected.file &&
    finding.location?.line === expectedLine(textOf(expected.file), expected.at) &&
    (!expected.message || finding.message.includes(expected.message)) &&
    (!expected.severity || finding.severity === expected.severity)
  );
}

export async function runCase(tree, baselines, change) {
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
  // A finding may be in another file than the one edited (a hook in x86.c, for an edit of svm.c).
  const texts = new Map([[change.file, text]]);
  const textOf = (file) => {
    if (!texts.has(file)) texts.set(file, readFileSync(join(tree, file), 'utf8'));
    return texts.get(file);
  };
  const missed = expected.filter((e) => !added.some((f) => matches(f, e, textOf)));
  const unexpected = added.filter((f) => !expected.some((e) => matches(f, e, textOf)));
  // A finding the edit rewords (the same rule, arch and file, now with one more failure point) is the expected one, not a loss.
  const lost = removed.filter(
    (f) => !(added.some((a) => a.ruleId === f.ruleId && a.arch === f.arch && a.location?.file === f.location?.file) && expected.length > 0),
  );
  return { change, missed, falseAlarms: [...unexpected, ...lost.map((f) => ({ ...f, removed: true }))] };
}

/** Copies of the trees the cases edit; `remove()` when done. */
export function treeCopies(versions) {
  const copies = new Map();
  for (const version of versions) {
    const copy = mkdtempSync(join(tmpdir(), `kvm-rules-mutations-${version}-`));
    cpSync(fetchKernel(version), copy, { recursive: true });
    copies.set(version, copy);
  }
  return { copies, remove: () => copies.forEach((copy) => rmSync(copy, { recursive: true, force: true })) };
}
