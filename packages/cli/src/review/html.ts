// A review as one HTML page (review --format html): per patch, the findings it introduces,
// changes and fixes (each place linked to the source as that patch leaves it), the ordering
// before and after in the seed's list form, and the timelines of the archs it touches side by
// side, before and after, with what it added, moved and removed marked.
import { GENERIC_ARCH, summarize, type Finding } from '@kvm-rules/core';
import { plural } from '../formatters/shared.js';
import type { RuleInfo } from '../formatters/types.js';
import { findingHtml, optional, reportPage, rulePageOf, timelineFigures } from '../report/html.js';
import { escapeHtml } from '../report/page.js';
import { archGraphs, type RowMark, type TimelineGraph, type TimelineModel } from '../timeline/render.js';
import { KVM_INIT_SCOPE, type OrderingChange } from './ordering.js';
import { titleOf } from './patch.js';
import type { PatchReview, Review } from './review.js';

export interface ReviewHtmlOptions {
  rules: RuleInfo[];
  docsBaseUrl?: string;
}

/** The archs a patch's pictures show: those whose module init it reorders, and, when it reorders kvm_init(), those its findings are about. */
function archsPictured(p: PatchReview): string[] {
  const archs = new Set(p.ordering.filter((c) => c.arch !== GENERIC_ARCH).map((c) => c.arch));
  if (p.ordering.some((c) => c.scope === KVM_INIT_SCOPE)) {
    const findings = [...p.introduced.map((i) => i.finding), ...p.changed.map((c) => c.after), ...p.fixed, ...p.reached];
    for (const finding of findings) if (finding.arch !== GENERIC_ARCH) archs.add(finding.arch);
  }
  return [...archs].sort();
}

/**
 * How the rows of a module init's picture are marked: its phases by the change to its own scope,
 * kvm_init()'s steps by the change to kvm_init(); added only after, removed only before, moved on both.
 */
function marksOf(graph: TimelineGraph, scope: string, changes: OrderingChange[], side: 'before' | 'after'): Map<number, RowMark> {
  const byStep = (change: OrderingChange | undefined) => new Map(change?.steps.map(({ mark, step }) => [step.id, mark]));
  const phases = byStep(changes.find((c) => c.scope === scope));
  const steps = byStep(changes.find((c) => c.scope === KVM_INIT_SCOPE));
  const shown: RowMark[] = side === 'before' ? ['-', '~'] : ['+', '~'];
  const marks = new Map<number, RowMark>();
  for (const [i, row] of graph.rows.entries()) {
    if (row.step === undefined) continue;
    const mark = (row.inKvmInit ? steps : phases).get(row.step);
    if (mark !== undefined && mark !== ' ' && shown.includes(mark)) marks.set(i, mark);
  }
  return marks;
}

/** An arch's timelines before and after a patch, side by side. */
async function sideBySide(p: PatchReview, arch: string, idOf: (finding: Finding) => string): Promise<string> {
  const pictures = p.pictures;
  if (!pictures) return '';
  const side = async (model: TimelineModel, open: Finding[], which: 'before' | 'after') => {
    const drawn = archGraphs(model, arch, open);
    if (!drawn) return `<p class="none">${escapeHtml(arch)} is not analyzed ${which} this patch.</p>`;
    const figures = await Promise.all(
      drawn.map(({ init, graph }, m) => {
        const marks = marksOf(graph, `${arch} ${init}()`, p.ordering, which);
        return timelineFigures([graph], `p${p.patch.index}-${arch}-${which}-${m}`, idOf, { marks });
      }),
    );
    return `<div class="${which}"><h4>${which} ${p.patch.index}/${p.patch.total}</h4>${figures.join('\n')}</div>`;
  };
  const before = await side(pictures.before, openBefore(p), 'before');
  const after = await side(pictures.after, p.open, 'after');
  return `<h3>${escapeHtml(arch)}</h3><div class="side-by-side">${before}${after}</div>`;
}

/** The findings open before a patch: those after it, less what it brought and changed, plus what it fixed and what it changed, as they were. */
function openBefore(p: PatchReview): Finding[] {
  const brought = new Set<Finding>([...p.introduced.map((i) => i.finding), ...p.changed.map((c) => c.after)]);
  return [...p.open.filter((f) => !brought.has(f)), ...p.fixed, ...p.changed.map((c) => c.before)];
}

/** The ordering change as the seed's commit message lists it, + added, - removed, ~ moved. */
function orderingHtml(changes: OrderingChange[]): string {
  if (changes.length === 0) return '';
  const lines = changes.flatMap((change) => [change.scope, ...change.steps.map(({ mark, step }) => `${mark} ${step.text}`)]);
  return `<h3>Ordering, before → after</h3><pre class="ordering">${escapeHtml(lines.join('\n'))}</pre>`;
}

export async function reviewHtml(review: Review, options: ReviewHtmlOptions): Promise<string> {
  const pageOf = rulePageOf(options.rules, options.docsBaseUrl);
  // A finding can show under more than one patch: its card's id (and the class that lights its path) is per patch.
  let count = 0;
  const idsOf = () => {
    const ids = new Map<Finding, string>();
    return (finding: Finding) => {
      let id = ids.get(finding);
      if (id === undefined) ids.set(finding, (id = `f${count++}`));
      return id;
    };
  };
  const cardsOf = (p: PatchReview, idOf: (finding: Finding) => string) => {
    const after = p.pictures?.sources.after;
    const before = p.pictures?.sources.before;
    const card = (finding: Finding, side: 'before' | 'after', note?: string) =>
      findingHtml(finding, idOf(finding), {
        linesOf: (file) => (side === 'after' ? after : before)?.get(file),
        ...optional('rulePage', pageOf(finding.ruleId)),
        ...optional('note', note),
      });
    const total = p.patch.total;
    const fixedLater = (fixedBy: number | undefined) => (fixedBy !== undefined ? `fixed later by ${fixedBy}/${total}` : undefined);
    return {
      introduced: p.introduced.map((i) => card(i.finding, 'after', fixedLater(i.fixedBy))),
      changed: p.changed.map((c) => card(c.after, 'after', [`was ${c.before.severity}`, fixedLater(c.fixedBy)].filter(Boolean).join('; '))),
      fixed: p.fixed.map((f) => card(f, 'before')),
      reached: p.reached.map((f) => card(f, 'after', 'still open: this patch changes the ordering it is about')),
    };
  };
  const sections: string[] = [];
  for (const p of review.patches) {
    const head = `<h2>[PATCH ${p.patch.index}/${p.patch.total}] ${escapeHtml(titleOf(p.patch.subject) || '(no subject)')}</h2>`;
    const outside = p.outside.length > 0 ? `<p class="none">Also touches, not read by kvm-rules: ${escapeHtml(p.outside.join(', '))}</p>` : '';
    if (p.skipped) {
      sections.push(`<section class="patch skipped">${head}<p class="none">Skipped: touches no file kvm-rules reads.</p>${outside}</section>`);
      continue;
    }
    const idOf = idsOf();
    const cards = cardsOf(p, idOf);
    const list = (title: string, items: string[]) => (items.length > 0 ? `<h3>${title}</h3>${items.join('\n')}` : '');
    const nothing = cards.introduced.length + cards.changed.length + cards.fixed.length === 0 ? '<p class="none">No change in findings.</p>' : '';
    const pictures = await Promise.all(archsPictured(p).map((arch) => sideBySide(p, arch, idOf)));
    const legend =
      pictures.length > 0
        ? '<p class="moved-legend"><span class="added">added</span><span class="moved">moved</span><span class="removed">removed</span> by this patch; red: findings</p>'
        : '';
    sections.push(
      [
        `<section class="patch" id="patch-${p.patch.index}">`,
        head,
        outside,
        nothing,
        list('Introduced', cards.introduced),
        list('Changed', cards.changed),
        list('Fixed', cards.fixed),
        list('Still open, ordering changed under them', cards.reached),
        orderingHtml(p.ordering),
        pictures.length > 0 ? `<h3>Timelines, before and after</h3>${legend}${pictures.join('\n')}` : '',
        '</section>',
      ].join('\n'),
    );
  }
  const shown = review.patches.flatMap((p) => [...p.introduced.map((i) => i.finding), ...p.changed.map((c) => c.after), ...p.fixed, ...p.reached]);
  const base = summarize(review.base);
  const revision = review.kernel.revision !== undefined ? ` as of ${escapeHtml(review.kernel.revision)}` : '';
  return reportPage({
    title: `kvm-rules review: ${review.series.source}`,
    header: [
      `<h1>kvm-rules review: ${escapeHtml(review.series.cover?.subject ?? review.series.source)}</h1>`,
      `<p class="meta">${review.patches.length} ${review.patches.length === 1 ? 'patch' : 'patches'} from ${escapeHtml(review.series.source)} against Linux ${escapeHtml(review.kernel.version)}${revision}</p>`,
      `<p class="summary">base: <span class="count error">${plural(base.errors, 'error')}</span><span class="count warning">${plural(base.warnings, 'warning')}</span></p>`,
    ],
    archs: [...new Set(shown.map((f) => f.arch))].sort(),
    findings: shown,
    sections,
  });
}
