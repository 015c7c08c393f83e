// A series reviewed patch by patch, as the seed's reviewer did by hand: the tree at the series'
// base is checked, then again after each patch, and each patch is held to what it changed: the
// findings it introduces (with the line of the patch they are at, and the later patch that
// fixes them, since every step of a series must build and work) and the findings it fixes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf, GENERIC_ARCH, type Checker, type ConfiguredRule, type Finding } from '@kvm-rules/core';
import { linesOnDisk } from '../report/excerpt.js';
import { placesOf, type TimelineModel } from '../timeline/render.js';
import { newSince } from '../changed-since.js';
import { orderingChanges, orderingOf, type OrderingChange } from './ordering.js';
import type { Patch } from './patch.js';
import { isRead, readSetOf } from '../read-set.js';
import { applyPatch, copyInto, touched, withScratchTree } from './scratch.js';
import type { Series } from './series.js';

/** Where in the patch a finding's line is: the line of the mail, and the hunk it is in. */
export interface PatchPlace {
  /** Tree-relative file of the hunk. */
  file: string;
  /** Line in the mail file (undefined when the body was sent encoded). */
  line: number | undefined;
  hunk: string;
  /**
   * When the finding's own line is not in the patch but a line the patch adds is one of its
   * places (a kvm_init() step that now runs a hook too early): what the finding says of it.
   */
  via?: string;
}

export interface Introduced {
  finding: Finding;
  /** The finding's line as the patch adds or keeps it; undefined when the line is outside the patch's hunks. */
  inPatch: PatchPlace | undefined;
  /** The index of the later patch of the series that fixes it. */
  fixedBy: number | undefined;
}

/** A finding the patch changes in place: the same rule, arch and place, said otherwise (a window that becomes certain, a warning an error). */
export interface Changed {
  before: Finding;
  after: Finding;
  inPatch: PatchPlace | undefined;
  /** The index of the later patch of the series that fixes it. */
  fixedBy: number | undefined;
}

/**
 * For pictures of a patch (ReviewRequest.keep): the model before and after it, and the lines of
 * the files its findings name, as they were before it (fixed findings) and after it (the others):
 * the scratch tree they were read from is gone when the report is written.
 */
export interface PatchPictures {
  before: TimelineModel;
  after: TimelineModel;
  sources: { before: Map<string, string[]>; after: Map<string, string[]> };
}

export interface PatchReview {
  patch: Patch;
  /** With ReviewRequest.keep, for a patch that was checked. */
  pictures?: PatchPictures;
  /** Touches no file kvm-rules reads: not checked, nothing changes. */
  skipped: boolean;
  /** Every finding of the tree after it. */
  open: Finding[];
  /**
   * For a patch that changes kvm_init()'s ordering: the archs' findings still open after
   * it about their ordering against kvm_init()'s hooks. It did not bring them, but it changes the
   * ordering they are about, so the arch's maintainer should look again (as the seed asked of MIPS).
   */
  reached: Finding[];
  /** The generic ordering and the module inits it changes, before and after. */
  ordering: OrderingChange[];
  /** Files it touches that kvm-rules does not read. */
  outside: string[];
  introduced: Introduced[];
  changed: Changed[];
  fixed: Finding[];
}

export interface Review {
  series: Series;
  /** The tree reviewed against; `revision`: for REV..REV, the base read from its git repository. */
  kernel: { root: string; version: string; revision?: string };
  /** The archs checked, as the plugins name them. */
  archs: string[];
  base: Finding[];
  /** After the whole series. */
  final: Finding[];
  patches: PatchReview[];
}

export interface ReviewRequest {
  checker: Checker;
  rules?: ConfiguredRule[];
  /** What the configuration leaves of a check's findings (its ignores and exceptions). */
  filter?: (findings: Finding[]) => Finding[];
  /** The tree as messages name it (default: `kernel`). */
  treeName?: string;
  /** Told before each check: the base (index 0) and each patch. */
  onStep?: (index: number, total: number) => void;
  /** Keep each patch's pictures (PatchReview.pictures), for the html report. */
  keep?: boolean;
}

/** The files findings name (their places and related places), each file's lines as `tree` has it now. */
function linesOfFiles(tree: string, findings: Finding[]): Map<string, string[]> {
  const read = linesOnDisk((file) => join(tree, file));
  const lines = new Map<string, string[]>();
  for (const { file } of findings.flatMap(placesOf)) {
    const text = read(file);
    if (text) lines.set(file, text);
  }
  return lines;
}

/** Reviews `series` against the tree at `kernel`, which is read and never written. */
export async function reviewSeries(series: Series, kernel: string, request: ReviewRequest): Promise<Review> {
  const check = async (tree: string) => {
    const outcome = await request.checker.check({ kernel: tree, ...(request.rules ? { rules: request.rules } : {}) });
    const findings = request.filter ? request.filter(outcome.findings) : outcome.findings;
    return {
      version: outcome.kernel?.version ?? '',
      root: outcome.kernel?.root ?? tree,
      archs: outcome.plugins.map((plugin) => plugin.id),
      findings,
      ordering: orderingOf(outcome),
      inputs: outcome.inputs ?? {},
      model: { plugins: outcome.plugins, profile: outcome.profile },
    };
  };
  request.onStep?.(0, series.patches.length);
  const base = await check(kernel);
  const read = readSetOf(base.inputs, base.root);
  const paths = [...read.files, ...read.dirs, ...series.patches.flatMap(touched)];
  return withScratchTree(base.root, paths, async (tree) => {
    /** A patch may make the analysis read a file the copy lacks (a header it now includes): copied, and the check run again. */
    const checkCopy = async () => {
      for (;;) {
        const after = await check(tree);
        const missing = [...readSetOf(after.inputs, after.root).files].filter((path) => !existsSync(join(tree, path)));
        if (copyInto(base.root, tree, missing).length === 0) return after;
      }
    };
    let before = base.findings;
    let ordering = base.ordering;
    let model = base.model;
    // The text of the files the open findings name, as the tree is now: read once per checked state.
    let lines = request.keep ? linesOfFiles(tree, before) : undefined;
    const reviews: PatchReview[] = [];
    for (const patch of series.patches) {
      request.onStep?.(patch.index, series.patches.length);
      applyPatch(tree, patch, request.treeName ?? kernel);
      const paths = touched(patch);
      const outside = paths.filter((path) => !isRead(path, read));
      if (outside.length === paths.length) {
        reviews.push({ patch, skipped: true, open: before, reached: [], ordering: [], outside, introduced: [], changed: [], fixed: [] });
        continue;
      }
      const checked = await checkCopy();
      const after = checked.findings;
      const { added, removed, changed } = pairUp(newSince(after, before), newSince(before, after));
      const reordered = orderingChanges(ordering, checked.ordering);
      const introduced = added.map((finding) => ({ finding, inPatch: placeInPatch(patch, finding), fixedBy: undefined }));
      // A skipped patch touches no file kvm-rules reads, so none a finding names: `lines` still holds.
      const afterLines = lines && linesOfFiles(tree, after);
      const pictures = lines && afterLines && { before: model, after: checked.model, sources: { before: lines, after: afterLines } };
      reviews.push({
        patch,
        ...(pictures ? { pictures } : {}),
        skipped: false,
        open: after,
        reached: reachedBy(reordered, after, [...introduced.map((i) => i.finding), ...changed.map((c) => c.after)]),
        ordering: reordered,
        outside,
        introduced,
        changed: changed.map((pair) => ({ ...pair, inPatch: placeInPatch(patch, pair.after), fixedBy: undefined })),
        fixed: removed,
      });
      before = after;
      ordering = checked.ordering;
      model = checked.model;
      lines = afterLines;
    }
    markFixedLater(reviews);
    return { series, kernel: { root: kernel, version: base.version }, archs: base.archs, base: base.findings, final: before, patches: reviews };
  });
}

/** The rules whose findings are about when an arch's init runs against kvm_init()'s hooks: what a change to kvm_init() moves. */
const ORDERING_RULES = new Set(['kvm-init-last', 'hook-state-initialized']);

function reachedBy(reordered: OrderingChange[], open: Finding[], brought: Finding[]): Finding[] {
  if (!reordered.some((change) => change.arch === GENERIC_ARCH)) return [];
  const own = new Set(brought);
  return open.filter((f) => f.arch !== GENERIC_ARCH && !own.has(f) && ORDERING_RULES.has(f.ruleId));
}

/** Where a finding is, for pairing the before and after of one that changed: its rule, arch, file and line. */
function placeKey(finding: Finding, withLine: boolean): string {
  const at = finding.location;
  return [finding.ruleId, finding.arch, at?.file ?? '', withLine ? (at?.line ?? '') : ''].join('\0');
}

/**
 * Findings new after a patch and findings gone with it, paired where one replaces the other in
 * place: at the same line, else the only pair of its rule and arch in that file (the patch moved
 * lines). What pairs is a change, not one fixed and one introduced.
 */
function pairUp(added: Finding[], removed: Finding[]): { added: Finding[]; removed: Finding[]; changed: { before: Finding; after: Finding }[] } {
  const changed: { before: Finding; after: Finding }[] = [];
  for (const withLine of [true, false]) {
    for (const after of [...added]) {
      const key = placeKey(after, withLine);
      const candidates = removed.filter((before) => placeKey(before, withLine) === key);
      if (candidates.length !== 1 || (!withLine && added.filter((other) => placeKey(other, false) === key).length !== 1)) continue;
      const before = candidates[0]!;
      changed.push({ before, after });
      added.splice(added.indexOf(after), 1);
      removed.splice(removed.indexOf(before), 1);
    }
  }
  return { added, removed, changed };
}

/**
 * The line of the patch a finding is at: its own line when a hunk adds or keeps it, else the
 * first of its related places that a hunk adds (the cause the patch brings, where the fix goes).
 */
function placeInPatch(patch: Patch, finding: Finding): PatchPlace | undefined {
  const own = finding.location && lineInPatch(patch, finding.location, false);
  if (own) return own;
  for (const related of finding.related ?? []) {
    const at = lineInPatch(patch, related.location, true);
    if (at) return { ...at, via: related.message };
  }
  return undefined;
}

function lineInPatch(patch: Patch, location: { file: string; line: number }, addedOnly: boolean): PatchPlace | undefined {
  for (const file of patch.files) {
    if (file.newPath !== location.file) continue;
    for (const hunk of file.hunks) {
      if (!hunk.at.has(location.line) || (addedOnly && !hunk.added.has(location.line))) continue;
      return { file: location.file, line: hunk.at.get(location.line), hunk: hunk.header };
    }
  }
  return undefined;
}

/**
 * A finding a patch introduces or changes, and a later one fixes, is told so: the series is not
 * bisectable between them. Followed through the later patches' changes (a warning that becomes
 * an error is still the finding the earlier patch brought).
 */
function markFixedLater(reviews: PatchReview[]): void {
  for (const [k, review] of reviews.entries()) {
    for (const entry of [...review.introduced.map((i) => ({ entry: i, finding: i.finding })), ...review.changed.map((c) => ({ entry: c, finding: c.after }))]) {
      let print = fingerprintOf(entry.finding);
      for (const later of reviews.slice(k + 1)) {
        if (later.fixed.some((finding) => fingerprintOf(finding) === print)) {
          entry.entry.fixedBy = later.patch.index;
          break;
        }
        const change = later.changed.find((c) => fingerprintOf(c.before) === print);
        if (change) print = fingerprintOf(change.after);
      }
    }
  }
}
