// A review's report: stylish (a patch at a time, each finding where the patch has it) and json
// (docs/review.md). Paths are the tree's, as in check's reports.
import { displayPath, formatLocation, summarize, type Finding } from '@kvm-rules/core';
import type { REVIEW_FORMATS } from '../command-line.js';
import { formatters, type CheckResult } from '../formatters/index.js';
import { plural } from '../formatters/shared.js';
import { DEFAULT_WIDTH, wrapLine } from '../formatters/wrap.js';
import { reviewMail } from './mail.js';
import type { OrderingChange } from './ordering.js';
import { titleOf } from './patch.js';
import type { Introduced, PatchPlace, PatchReview, Review } from './review.js';

export type ReviewFormat = (typeof REVIEW_FORMATS)[number];

/** What the series did, counted: the findings its patches introduce (by severity), those fixed later in it, and those it fixes. */
export function reviewSummary(review: Review): { introduced: number; errors: number; warnings: number; madeErrors: number; fixedLater: number; fixed: number } {
  const introduced = review.patches.flatMap((p) => p.introduced);
  const { errors, warnings } = summarize(introduced.map((i) => i.finding));
  // A warning a patch turns into an error is an error that patch brings, as much as a new one.
  const madeErrors = review.patches.flatMap((p) => p.changed).filter((c) => c.after.severity === 'error' && c.before.severity !== 'error').length;
  const fixedLater = introduced.filter((i) => i.fixedBy !== undefined).length;
  // Fixed findings that the series itself brought are not the base's.
  const fixed = review.patches.flatMap((p) => p.fixed).length - fixedLater;
  return { introduced: introduced.length, errors, warnings, madeErrors, fixedLater, fixed };
}

/** `width`: the columns stylish fits its lines to (0: no limit). */
export function formatReview(review: Review, format: Exclude<ReviewFormat, 'html'>, width = DEFAULT_WIDTH): string {
  switch (format) {
    case 'mail':
      return reviewMail(review);
    case 'json':
      return `${JSON.stringify(reviewJson(review), null, 2)}\n`;
    case 'sarif':
    case 'gcc':
      return formatters.get(format)?.(asCheckResult(review), { color: false }) ?? '';
    default:
      return fitted(reviewStylish(review), width);
  }
}

/**
 * What the series brings, as a check's result for check's own sarif and gcc formatters: each
 * finding a patch introduces or makes an error, at its place after that patch, its message
 * saying which patch ("[PATCH 3/4]") and which later one fixes it.
 */
function asCheckResult(review: Review): CheckResult {
  const findings = review.patches.flatMap((p) => {
    const tag = (finding: Finding, fixedBy: number | undefined): Finding => ({
      ...finding,
      message: `[PATCH ${p.patch.index}/${p.patch.total}] ${finding.message}${fixedBy !== undefined ? ` (fixed later by ${fixedBy}/${p.patch.total})` : ''}`,
    });
    return [
      ...p.introduced.map((i) => tag(i.finding, i.fixedBy)),
      ...p.changed.filter((c) => c.after.severity === 'error' && c.before.severity !== 'error').map((c) => tag(c.after, c.fixedBy)),
    ];
  });
  return {
    profile: `review of ${review.series.source}`,
    archs: review.archs,
    findings,
    summary: summarize(findings),
    variants: {},
    kernel: { root: review.kernel.root, version: review.kernel.version },
  };
}

function reviewJson(review: Review) {
  return {
    kernel: {
      root: displayPath(review.kernel.root),
      version: review.kernel.version,
      ...(review.kernel.revision !== undefined ? { revision: review.kernel.revision } : {}),
    },
    series: { source: review.series.source, patches: review.patches.length, ...(review.series.cover ? { cover: review.series.cover.subject } : {}) },
    base: summarize(review.base),
    patches: review.patches.map((p) => ({
      index: p.patch.index,
      total: p.patch.total,
      subject: p.patch.subject,
      ...(p.patch.message.messageId ? { messageId: p.patch.message.messageId } : {}),
      ...(p.patch.message.line ? { line: p.patch.message.line } : {}),
      skipped: p.skipped,
      outside: p.outside,
      ordering: p.ordering.map((change) => ({ scope: change.scope, arch: change.arch, steps: change.steps.map(({ mark, step }) => ({ mark, ...step })) })),
      introduced: p.introduced.map((i) => ({
        ...i.finding,
        patch: { index: p.patch.index, ...(i.inPatch ? inPatchJson(i.inPatch) : {}) },
        ...(i.fixedBy !== undefined ? { fixedBy: i.fixedBy } : {}),
      })),
      changed: p.changed.map((c) => ({
        ...c.after,
        before: { severity: c.before.severity, message: c.before.message, ...(c.before.location ? { location: c.before.location } : {}) },
        patch: { index: p.patch.index, ...(c.inPatch ? inPatchJson(c.inPatch) : {}) },
        ...(c.fixedBy !== undefined ? { fixedBy: c.fixedBy } : {}),
      })),
      fixed: p.fixed.map((finding) => ({ ...finding, patch: { index: p.patch.index } })),
      reached: p.reached,
    })),
    after: summarize(review.final),
    summary: reviewSummary(review),
  };
}

/** Each line fitted to `width`, continuation lines indented four more than it. */
function fitted(text: string, width: number): string {
  if (width === 0) return text;
  return `${text
    .trimEnd()
    .split('\n')
    .flatMap((line) => (line === '' ? [''] : wrapLine(line, width, 4)))
    .join('\n')}\n`;
}

function inPatchJson(at: PatchPlace) {
  return { file: at.file, ...(at.line !== undefined ? { line: at.line } : {}), hunk: at.hunk, ...(at.via ? { via: at.via } : {}) };
}

function reviewStylish(review: Review): string {
  const { series, kernel } = review;
  const lines = [
    `review of ${review.patches.length} ${review.patches.length === 1 ? 'patch' : 'patches'} (${series.source}) against Linux ${kernel.version} at ${displayPath(kernel.root)}${kernel.revision !== undefined ? ` as of ${kernel.revision}` : ''}`,
    `base: ${problems(review.base)}`,
    '',
  ];
  for (const p of review.patches) lines.push(...patchLines(p), '');
  const s = reviewSummary(review);
  const later = s.fixedLater > 0 ? `, ${s.fixedLater} of them fixed later in the series` : '';
  const worse = s.madeErrors > 0 ? `; ${plural(s.madeErrors, 'warning')} made an error` : '';
  lines.push(
    `${plural(s.introduced, 'finding')} introduced (${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')})${later}${worse}; ${plural(s.fixed, 'finding')} of the base fixed`,
  );
  return `${lines.join('\n')}\n`;
}

function patchLines(p: PatchReview): string[] {
  const head = `${p.patch.index}/${p.patch.total} ${titleOf(p.patch.subject) || '(no subject)'}`;
  const outside = p.outside.length > 0 ? `  also touches, not read by kvm-rules: ${p.outside.join(', ')}` : undefined;
  if (p.skipped) return [`${head}: skipped, touches no file kvm-rules reads`, ...(outside ? [outside] : [])];
  const lines = [
    p.introduced.length + p.changed.length + p.fixed.length === 0
      ? `${head}: no change in findings${p.ordering.length > 0 ? ', the ordering changes' : ''}`
      : head,
  ];
  for (const introduced of p.introduced) lines.push(...introducedLines(introduced, p.patch.file, p.patch.total));
  for (const changed of p.changed) {
    const was = changed.before.severity === changed.after.severity ? undefined : `was ${changed.before.severity}`;
    lines.push(`  changes ${findingLine(changed.after, was)}`, `      before: ${changed.before.message}`);
    lines.push(...placeLines(changed, p.patch.file, p.patch.total));
  }
  for (const finding of p.fixed) lines.push(`  fixes ${findingLine(finding)}`);
  if (p.reached.length > 0) lines.push('  already open, about the kvm_init() ordering this patch changes (needs review):');
  for (const finding of p.reached) lines.push(`    ${findingLine(finding)}`);
  lines.push(...orderingLines(p.ordering, '  '));
  if (outside) lines.push(outside);
  return lines;
}

function introducedLines(introduced: Introduced, source: string, total: number): string[] {
  return [`  ${findingLine(introduced.finding)}`, ...placeLines(introduced, source, total)];
}

/** Where the patch has the finding's line, and which later patch fixes it. */
function placeLines(introduced: Pick<Introduced, 'inPatch' | 'fixedBy'>, source: string, total: number): string[] {
  const lines: string[] = [];
  const at = introduced.inPatch;
  if (at) {
    const via = at.via ? ` (${at.via})` : '';
    lines.push(
      `      in the patch: ${at.line !== undefined ? `${source}:${at.line}` : 'an encoded body'}, ${at.file} ${at.hunk.replace(/ @@.*/, ' @@')}${via}`,
    );
  }
  if (introduced.fixedBy !== undefined) lines.push(`      fixed later by ${introduced.fixedBy}/${total}`);
  return lines;
}

/** The scopes a patch reorders, each step marked: + added, - removed, ~ moved. */
export function orderingLines(changes: OrderingChange[], indent: string): string[] {
  if (changes.length === 0) return [];
  const lines = [`${indent}ordering, before → after (+ added, - removed, ~ moved):`];
  for (const change of changes) {
    lines.push(`${indent}  ${change.scope}`);
    for (const { mark, step } of change.steps) lines.push(`${indent}  ${mark}   ${step.text}`);
  }
  return lines;
}

function findingLine(finding: Finding, note?: string): string {
  const where = finding.location ? `${formatLocation(finding.location)}  ` : '';
  return `${where}${finding.severity}${note ? ` (${note})` : ''}  ${finding.message}  ${finding.ruleId} (${finding.arch})`;
}

function problems(findings: Finding[]): string {
  const { errors, warnings } = summarize(findings);
  return `${plural(errors + warnings, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
}
