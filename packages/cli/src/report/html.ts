// `--format html`: a check's report as one self-contained page: the summary, filters by arch,
// rule and severity, each finding with its places linked to excerpts of the source read from the
// tree, and each arch's timeline (timeline/render.ts, laid out by Graphviz) with its findings'
// paths in red, lit when the reader points at a finding.
import { displayPath, formatLocation, GENERIC_ARCH, type Finding, type Location } from '@kvm-rules/core';
import type { CheckResult, RuleInfo } from '../formatters/index.js';
import { links } from '../formatters/links.js';
import { absolutePathOf, archsOf, isPluginDrift, plural, toolVersion } from '../formatters/shared.js';
import { archGraphs, kvmInitGraph, timelineDot, type DotOptions, type TimelineGraph, type TimelineModel } from '../timeline/render.js';
import { dotToSvg } from '../timeline/svg.js';
import { excerptOf, linesOnDisk, type LinesOf } from './excerpt.js';
import { escapeHtml, page } from './page.js';

export interface HtmlReportInput {
  result: CheckResult;
  /** The plugins and profile the check judged: the timelines are drawn from them. */
  model: TimelineModel;
  docsBaseUrl?: string;
}

/**
 * A finding's places: each a link to an excerpt of its source, shown under the finding (closed
 * until its link is followed). A review reads a file as it was at one step of the series:
 * `linesOf` is the tree at that step.
 */
class Places {
  private readonly ids = new Map<string, string>();
  private readonly excerpts: string[] = [];

  constructor(
    private readonly card: string,
    private readonly linesOf: LinesOf,
  ) {}

  /** A link to the place's excerpt (one excerpt for a line named twice). */
  link(location: Location): string {
    const key = `${location.file}:${location.line}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = `${this.card}-src-${this.ids.size}`;
      this.ids.set(key, id);
      this.excerpts.push(this.excerpt(id, location));
    }
    return `<a class="place" href="#${id}">${escapeHtml(formatLocation(location))}</a>`;
  }

  private excerpt(id: string, location: Location): string {
    const excerpt = excerptOf(this.linesOf(location.file), location.line);
    const body = excerpt
      ? excerpt.lines
          .map((text, i) => {
            const line = excerpt.first + i;
            return `<span${line === excerpt.line ? ' class="here"' : ''}><i>${line}</i>${escapeHtml(text)}</span>`;
          })
          .join('')
      : '<span>(the file could not be read when the report was made)</span>';
    return `<details class="excerpt" id="${id}"><summary>${escapeHtml(`${location.file}:${location.line}`)}</summary><pre><code>${body}</code></pre></details>`;
  }

  html(): string {
    return this.excerpts.length > 0 ? `<div class="excerpts">${this.excerpts.join('')}</div>` : '';
  }
}

/** Where a finding card's places are read from (the tree, or the tree at a step of a series), and its rule's page. */
export interface CardContext {
  linesOf: LinesOf;
  rulePage?: string;
  /** Said after the message (a review's "fixed later by 4/4"). */
  note?: string;
}

/** A finding as the page shows it: severity, rule (linked to its page), place, message, related places, and their source. */
export function findingHtml(finding: Finding, id: string, context: CardContext): string {
  const { linesOf, rulePage, note } = context;
  const places = new Places(id, linesOf);
  const rule = rulePage
    ? `<a class="rule" href="${escapeHtml(rulePage)}">${escapeHtml(finding.ruleId)}</a>`
    : `<span class="rule">${escapeHtml(finding.ruleId)}</span>`;
  const place = finding.location ? places.link(finding.location) : '';
  const related = (finding.related ?? []).map((r) => `<li>${places.link(r.location)} ${escapeHtml(r.message)}</li>`);
  return [
    `<article class="finding ${finding.severity}" id="${id}" data-arch="${escapeHtml(finding.arch)}" data-rule="${escapeHtml(finding.ruleId)}" data-severity="${finding.severity}">`,
    `<header><span class="severity ${finding.severity}">${finding.severity}</span>${rule}${place}</header>`,
    `<p class="message">${escapeHtml(finding.message)}</p>`,
    note ? `<p class="note">${escapeHtml(note)}</p>` : '',
    related.length > 0 ? `<ul class="places">${related.join('')}</ul>` : '',
    places.html(),
    '</article>',
  ].join('');
}

/** The SVG pictures of an arch's timelines, each finding's path marked with the class of its card's id. */
export async function timelineFigures(graphs: TimelineGraph[], prefix: string, idOf: (finding: Finding) => string, options: DotOptions = {}): Promise<string> {
  const figures = await Promise.all(
    graphs.map(async (graph, i) => {
      const findingClass = (f: number) => {
        const finding = graph.findings[f];
        return finding ? idOf(finding) : 'f';
      };
      const dot = timelineDot(graph, { ...options, id: `${prefix}-${i}`, findingClass });
      const svg = await dotToSvg(dot, `${prefix}-${i}`);
      return `<figure class="timeline"><figcaption>${escapeHtml(graph.title)}</figcaption>${svg}</figure>`;
    }),
  );
  return figures.join('\n');
}

/** A rule's page, by rule id (links.ts: on the web, never a path of this machine). */
export function rulePageOf(rules: RuleInfo[], docsBaseUrl?: string): (ruleId: string) => string | undefined {
  const pages = links(docsBaseUrl);
  return (ruleId) => {
    const rule = rules.find((r) => r.id === ruleId);
    return rule ? pages.rule(rule) : undefined;
  };
}

/** `{ [key]: value }`, or nothing for undefined (exactOptionalPropertyTypes). */
export const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>);

/** A filter's checkboxes: every value, all checked, with how many findings have it. */
function filter(kind: string, values: string[], findings: Finding[], of: (finding: Finding) => string): string {
  const boxes = values.map((value) => {
    const count = findings.filter((f) => of(f) === value).length;
    return `<label><input type="checkbox" data-filter="${kind}" value="${escapeHtml(value)}" checked> ${escapeHtml(value)} (${count})</label>`;
  });
  return `<fieldset><legend>${kind}</legend>${boxes.join('')}</fieldset>`;
}

export async function htmlReport({ result, model, docsBaseUrl }: HtmlReportInput): Promise<string> {
  const linesOf = linesOnDisk((file) => absolutePathOf(file, result));
  const pageOf = rulePageOf(result.rules ?? [], docsBaseUrl);
  const ids = new Map(result.findings.map((finding, i) => [finding, `f${i}`]));
  const idOf = (finding: Finding) => ids.get(finding) ?? 'f';
  // The archs with findings first (in the reports' order), then the others with their timelines.
  const found = (arch: string) => result.findings.some((f) => f.arch === arch);
  const all = archsOf(result).filter((arch) => arch !== GENERIC_ARCH || found(arch));
  const archs = [...all.filter(found), ...all.filter((arch) => !found(arch))];
  const sections = await Promise.all(
    archs.map(async (arch) => {
      const findings = result.findings.filter((f) => f.arch === arch);
      const cards = findings.map((f) => findingHtml(f, idOf(f), { linesOf, ...optional('rulePage', pageOf(f.ruleId)) }));
      const isDrift = (f: Finding) => isPluginDrift(f, result);
      const drawn = findings.filter((f) => !isDrift(f));
      // Generic findings are about kvm_init() itself: its steps, drawn alone.
      const generic = arch === GENERIC_ARCH ? [kvmInitGraph(model.profile, drawn)] : [];
      const graphs = archGraphs(model, arch, findings, isDrift)?.map(({ graph }) => graph) ?? generic;
      const pictures = await timelineFigures(graphs, `arch-${arch}`, idOf);
      return [
        `<section class="arch" id="arch-${escapeHtml(arch)}" data-arch="${escapeHtml(arch)}">`,
        `<h2>${escapeHtml(arch)} <small class="none">${plural(findings.length, 'finding')}</small></h2>`,
        `<div class="body"><div class="findings">${cards.length > 0 ? cards.join('\n') : '<p class="none">No findings.</p>'}</div>`,
        `<div class="pictures">${pictures}</div></div>`,
        '</section>',
      ].join('\n');
    }),
  );
  const { errors, warnings } = result.summary;
  const tree = result.kernel ? `Linux ${result.kernel.version} at ${displayPath(result.kernel.root)}` : 'the bundled declarations (no kernel tree)';
  return reportPage({
    title: `kvm-rules: ${result.profile}`,
    header: [
      `<h1>kvm-rules: ${escapeHtml(result.profile)}</h1>`,
      `<p class="meta">${escapeHtml(tree)} · ${plural(result.archs.length, 'arch')} (${escapeHtml(result.archs.join(', '))})</p>`,
      `<p class="summary"><span class="count error">${plural(errors, 'error')}</span><span class="count warning">${plural(warnings, 'warning')}</span></p>`,
    ],
    archs,
    findings: result.findings,
    sections,
  });
}

/** A report's page: its header, the filters over `findings` (by `archs`, rule and severity), and its sections. */
export function reportPage(report: { title: string; header: string[]; archs: string[]; findings: Finding[]; sections: string[] }): string {
  const { findings } = report;
  const severities = ['error', 'warning'].filter((s) => findings.some((f) => f.severity === s));
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
  const body = [
    '<header>',
    ...report.header,
    '</header>',
    '<nav class="filters">',
    filter('arch', report.archs, findings, (f) => f.arch),
    filter('rule', rules, findings, (f) => f.ruleId),
    filter('severity', severities, findings, (f) => f.severity),
    '<span id="shown"></span>',
    '</nav>',
    '<main>',
    ...report.sections,
    '</main>',
    `<footer>kvm-rules ${escapeHtml(toolVersion)}</footer>`,
  ].join('\n');
  return page(report.title, body);
}
