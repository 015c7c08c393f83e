// What `review` is given, read into a series of patches in the series' own order: an mbox or a
// patch file, a folder of patch files (git format-patch's numbered names), or REV..REV in the
// kernel tree's git repository (its commits as git format-patch writes them).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@kvm-rules/core';
import { readMessages, type Message } from './mbox.js';
import { diffOf, numberOf, type Patch } from './patch.js';

export interface Series {
  /** As given on the command line. */
  source: string;
  /** The cover letter ("[PATCH 0/N]", or a message without a diff), when there is one. */
  cover: Message | undefined;
  patches: Patch[];
}

/** Far above any series (the seed's has 102 patches): a larger file is not one. */
const MAX_SERIES_BYTES = 64 << 20;

/** The base revision of `REV..REV` (what is not a file or folder here); undefined for anything else. */
export function rangeBase(source: string): string | undefined {
  if (existsSync(source)) return undefined;
  return /^([^.\s]\S*?)\.\.(?!\.)\S+$/.exec(source)?.[1];
}

export async function readSeries(source: string, kernelDir: string | undefined): Promise<Series> {
  if (rangeBase(source) !== undefined) return seriesOf(source, [{ name: source, text: formatPatch(source, kernelDir) }]);
  if (!existsSync(source)) throw new InputError(`review: no such file or folder: ${source}`);
  if (statSync(source).isDirectory()) {
    const names = readdirSync(source)
      .filter((name) => /\.(patch|diff|eml|mbox)$/.test(name))
      .sort();
    if (names.length === 0) throw new InputError(`review: ${source} holds no .patch, .diff, .eml or .mbox file`);
    return seriesOf(
      source,
      names.map((name) => ({ name: join(source, name), text: readText(join(source, name)) })),
    );
  }
  return seriesOf(source, [{ name: source, text: readText(source) }]);
}

function readText(file: string): string {
  const stat = statSync(file);
  if (!stat.isFile()) throw new InputError(`review: ${file} is not a regular file`);
  if (stat.size > MAX_SERIES_BYTES) throw new InputError(`review: ${file} is larger than ${MAX_SERIES_BYTES >> 20} MB: not a patch series`);
  return readFileSync(file, 'utf8');
}

/** REV..REV's commits as one mbox, from the git repository the kernel tree is in. */
function formatPatch(range: string, kernelDir: string | undefined): string {
  const dir = kernelDir ?? '.';
  const run = spawnSync('git', ['-C', dir, 'format-patch', '--stdout', '--no-signature', range], { encoding: 'utf8', maxBuffer: MAX_SERIES_BYTES });
  if (run.error) throw new InputError(`review: cannot run git: ${run.error.message}`);
  if (run.status !== 0)
    throw new InputError(`review: git format-patch ${range} in ${dir}: ${run.stderr.split('\n').find(Boolean) ?? `exit ${String(run.status)}`}`);
  if (run.stdout.trim() === '') throw new InputError(`review: ${range} holds no commits`);
  return run.stdout;
}

async function seriesOf(source: string, files: { name: string; text: string }[]): Promise<Series> {
  let cover: Message | undefined;
  const found: Omit<Patch, 'index' | 'total'>[] = [];
  const numbers: ({ index: number; total: number } | undefined)[] = [];
  for (const { name, text } of files) {
    if (text.trim() === '') throw new InputError(`review: ${name} is empty: no patch in it`);
    for (const message of await readMessages(text)) {
      const diff = diffOf(message);
      const number = numberOf(message.subject);
      if (!diff) {
        // A cover letter; anything else without a diff is no patch of the series.
        if (number?.index === 0 || (cover === undefined && found.length === 0)) cover ??= message;
        continue;
      }
      found.push({ subject: message.subject, file: name, message, diff: diff.text, files: diff.files });
      numbers.push(number);
    }
  }
  if (found.length === 0) throw new InputError(`review: ${source} holds no patch (no diff in ${files.length === 1 ? 'it' : 'any of its files'})`);
  // "[PATCH 3/4]" orders a series sent out of order; without numbers, the order they came in.
  const numbered = found.flatMap((patch, i) => {
    const number = numbers[i];
    return number ? [{ ...patch, ...number }] : [];
  });
  const patches =
    numbered.length === found.length ? numbered.sort((a, b) => a.index - b.index) : found.map((patch, i) => ({ ...patch, index: i + 1, total: found.length }));
  return { source, cover, patches };
}
