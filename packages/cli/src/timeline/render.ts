// The timeline of one arch's module init under a profile, drawn from the same events the rules
// judge (core's buildTimeline): the module init's phases top to bottom, kvm_init()'s steps nested
// where it is called, each hook call (once, on each CPU, on rollback) and lifecycle event, the
// state each phase initializes and each hook reads, and the places a finding rests on marked.
// `text` is the seed's indented list form; `dot` (Graphviz) and `mermaid` are the same graph, with
// each finding's path (hook run → read → late initialization) drawn in red; svg.ts lays out the dot.
import {
  buildTimeline,
  formatLocation,
  type CheckOutcome,
  type Finding,
  type HookCallSpec,
  type Location,
  type Profile,
  type Timeline,
  type TimelineEvent,
} from '@kvm-rules/core';
import type { TIMELINE_FORMATS } from '../command-line.js';
import { escapeHtml } from '../report/page.js';
import { PLUGIN_DRIFT } from '../formatters/shared.js';

export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

/** One line of the timeline: its depth (0 module init, 1 inside kvm_init(), 2 a hook a step runs), its words, and the findings resting on it. */
export interface Row {
  depth: number;
  text: string;
  /** A kvm_init() step, or a hook call or event inside one (drawn inside kvm_init()'s box). */
  inKvmInit: boolean;
  /** The phase or kvm_init() step the row is (a review marks what a patch moved by it); hook calls and events have none. */
  step?: string;
  reads: string[];
  initializes: string[];
  /** Indexes into the graph's findings. */
  findings: number[];
}

/** What a picture of a timeline is made of: its rows in order and the findings they mark (a finding's path is the rows that name it). */
export interface TimelineGraph {
  title: string;
  rows: Row[];
  findings: Finding[];
}

/** How a review marks a row: added, moved, or (in the picture before a patch) removed by it. */
export type RowMark = '+' | '~' | '-';

const ON: Partial<Record<string, string>> = { 'each-online-cpu': ' on each online CPU' };

const sameLocation = (location: Location) => (other: Location | undefined) => other?.file === location.file && other.line === location.line;

/** A finding's own place and its related places. */
export const placesOf = (finding: Finding): Location[] => [...(finding.location ? [finding.location] : []), ...(finding.related ?? []).map((r) => r.location)];

/** The indexes of the findings that rest on a place `at` accepts. */
const findingsAt = (findings: Finding[], at: (location: Location) => boolean) => findings.flatMap((finding, i) => (placesOf(finding).some(at) ? [i] : []));

/** By finding: the rows it rests on, in timeline order (its red path). */
const pathsThrough = (graph: TimelineGraph) => graph.findings.map((_, i) => graph.rows.flatMap((row, r) => (row.findings.includes(i) ? [r] : [])));

function rowOf(event: TimelineEvent, insideKvmInit: boolean): Omit<Row, 'findings' | 'inKvmInit'> | undefined {
  switch (event.kind) {
    case 'Phase': {
      const { phase } = event;
      const text = phase.call === 'kvm_init' ? 'kvm_init()' : phase.assigns ? `${phase.call} = …` : `${phase.call}()`;
      return { depth: 0, text, step: phase.id, reads: [], initializes: phase.call === 'kvm_init' ? [] : phase.initializes };
    }
    case 'KvmInitStep':
      return { depth: 1, text: event.step.id, step: event.step.id, reads: [], initializes: event.step.initializes };
    case 'HookCall': {
      const impl = event.hook ? (event.hook.impl !== event.name ? ` → ${event.hook.impl}()` : '') : ' (not implemented)';
      const when = event.rollback ? ' on rollback' : '';
      const reads = event.hook?.requires.map((r) => r.state) ?? [];
      return { depth: insideKvmInit ? 2 : 1, text: `hook ${event.name}()${ON[event.on] ?? ''}${when}${impl}`, reads, initializes: [] };
    }
    case 'Lifecycle':
      return { depth: insideKvmInit ? 2 : 1, text: `from here: ${event.event.summary} (${event.event.window})`, reads: [], initializes: [] };
    case 'Expose':
      return { depth: 2, text: '/dev/kvm exposed to userspace', reads: [], initializes: [] };
    case 'ModuleInitDone':
      return { depth: 0, text: 'module init done', reads: [], initializes: [] };
    default:
      return undefined;
  }
}

/** The rows of a timeline, each with the findings resting on it; lifecycle hook calls are folded into their event's row. */
export function timelineGraph(timeline: Timeline, findings: Finding[]): TimelineGraph {
  const rows: Row[] = [];
  let insideKvmInit = false;
  for (const event of timeline.events) {
    // kvm_init()'s steps and the hooks they run follow its Phase event, up to the next phase.
    if (event.kind === 'Phase') insideKvmInit = event.phase.call === 'kvm_init';
    if (event.kind === 'ModuleInitDone') insideKvmInit = false;
    if (event.kind === 'HookCall' && event.trigger.kind === 'lifecycle') continue;
    const row = rowOf(event, insideKvmInit);
    if (row)
      rows.push({
        ...row,
        inKvmInit: insideKvmInit && event.kind !== 'Phase',
        findings: findingsAt(findings, sameLocation(event.location)),
      });
  }
  const title = `${timeline.arch}: ${timeline.module.init}() (${formatLocation(timeline.module.location)}) under ${timeline.profile.id}`;
  return { title, rows, findings };
}

/** What timelines are drawn from: the plugins and the profile a check judged. */
export type TimelineModel = Pick<CheckOutcome, 'plugins' | 'profile'>;

/**
 * An arch's module inits drawn under the model's profile, each with the findings about the arch
 * (plugin drift aside: it is about kvm-rules' declarations, not what the kernel does); undefined
 * when the model has no such arch.
 */
export function archGraphs(
  model: TimelineModel,
  arch: string,
  findings: Finding[],
  isDrift: (finding: Finding) => boolean = (finding) => finding.ruleId === PLUGIN_DRIFT,
): { init: string; graph: TimelineGraph }[] | undefined {
  const plugin = model.plugins.find((p) => p.id === arch);
  if (!plugin) return undefined;
  const drawn = findings.filter((f) => f.arch === arch && !isDrift(f));
  return plugin.modules.map((module) => ({ init: module.init, graph: timelineGraph(buildTimeline(plugin, module, model.profile), drawn) }));
}

/**
 * Generic kvm_init() on its own, for findings about the generic code: its steps in order, the
 * hooks each runs (and on rollback), and the callbacks each registers for later.
 */
export function kvmInitGraph(profile: Profile, findings: Finding[]): TimelineGraph {
  const rows: Row[] = [];
  const push = (row: Omit<Row, 'findings' | 'inKvmInit'>, at: (location: Location) => boolean) =>
    rows.push({ ...row, inKvmInit: false, findings: findingsAt(findings, at) });
  const hookRow = (call: HookCallSpec, when: string) =>
    push(
      { depth: 1, text: `hook ${profile.hooks.get(call.role)?.name ?? call.role}()${ON[call.on] ?? ''}${when}`, reads: [], initializes: [] },
      sameLocation(call.location),
    );
  for (const [i, step] of profile.kvmInit.entries()) {
    // A step is its statement and the few lines up to the next one: its error check is a failure point of it.
    const next = Math.min(profile.kvmInit[i + 1]?.location.line ?? Infinity, step.location.line + STEP_LINES);
    const within = (place: Location) => place.file === step.location.file && place.line >= step.location.line && place.line < next;
    push({ depth: 0, text: step.id, step: step.id, reads: [], initializes: step.initializes }, within);
    for (const call of step.calls) hookRow(call, '');
    for (const call of step.rollback) hookRow(call, ' on rollback');
    if (step.exposes) push({ depth: 1, text: '/dev/kvm exposed to userspace', reads: [], initializes: [] }, () => false);
    for (const event of profile.lifecycle.filter((e) => e.from === step.id))
      push({ depth: 1, text: `from here: ${event.summary} (${event.window})`, reads: [], initializes: [] }, sameLocation(event.location));
  }
  return { title: `kvm_init() (${formatLocation(profile.location)}) under ${profile.id}`, rows, findings };
}

/** The lines a kvm_init() step's statement and its error check take at most. */
const STEP_LINES = 4;

export function renderTimeline(graph: TimelineGraph, format: Exclude<TimelineFormat, 'svg'>): string {
  switch (format) {
    case 'dot':
      return timelineDot(graph);
    case 'mermaid':
      return mermaid(graph);
    default:
      return text(graph);
  }
}

const states = (verb: string, list: string[]) => (list.length > 0 ? `, ${verb} ${list.join(', ')}` : '');
const rowText = (row: Row) => `${row.text}${states('initializes', row.initializes)}${states('reads', row.reads)}`;

/** The most states a row of a picture lists (kvm_x86_vendor_init() sets up dozens). */
const PICTURE_STATES = 6;
const rulesOn = (graph: TimelineGraph, row: Row) => [...new Set(row.findings.flatMap((i) => graph.findings[i]?.ruleId ?? []))];

function text(graph: TimelineGraph): string {
  const lines = [graph.title, ''];
  for (const row of graph.rows) {
    const marks = rulesOn(graph, row);
    lines.push(`${'  '.repeat(row.depth)}- ${rowText(row)}${marks.length > 0 ? `   <- ${marks.join(', ')}` : ''}`);
  }
  if (graph.findings.length > 0) {
    lines.push('', 'findings marked <-:');
    for (const finding of graph.findings)
      lines.push(`  ${finding.location ? `${formatLocation(finding.location)}  ` : ''}${finding.severity}  ${finding.ruleId}: ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An edge of a finding's path: from one of its rows to the next; `label` says what the later row sets up that the earlier one reads. */
interface PathEdge {
  from: number;
  to: number;
  findings: number[];
  /** What the earlier row reads that the later one initializes. */
  states: string[];
}

const edgeLabel = (edge: PathEdge) => (edge.states.length > 0 ? `reads ${edge.states.join(', ')}, initialized only here` : '');

/** Each finding's path as edges, one edge for the findings that share it. */
function pathEdges(graph: TimelineGraph): PathEdge[] {
  const edges = new Map<string, PathEdge>();
  for (const [f, path] of pathsThrough(graph).entries()) {
    for (let i = 1; i < path.length; i++) {
      const from = path[i - 1] ?? 0;
      const to = path[i] ?? 0;
      const key = `${from}-${to}`;
      const edge = edges.get(key);
      if (edge) edge.findings.push(f);
      else {
        // The read that comes before the state it reads: the hook's reads that the later row initializes.
        const late = graph.rows[to]?.initializes ?? [];
        const states = (graph.rows[from]?.reads ?? []).filter((state) => late.includes(state));
        edges.set(key, { from, to, findings: [f], states });
      }
    }
  }
  return [...edges.values()];
}

const quote = (text: string) => JSON.stringify(text);

/** Pieces (already label markup, `width` their plain length) laid in lines of about `columns`, the next ones indented. */
function wrapPieces(pieces: { markup: string; width: number }[], columns = 46): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const piece of pieces) {
    if (used + piece.width > columns && used > 0) {
      lines.push(line.trimEnd());
      line = '  ';
      used = 2;
    }
    line += piece.markup;
    used += piece.width;
  }
  lines.push(line.trimEnd());
  return lines;
}

const words = (text: string) => text.split(/(?<= )/).map((word) => ({ markup: escapeHtml(word), width: word.length }));

const MARK_COLORS = { 'sets up': '#2e7d32', reads: '#1f5fa8' };

/**
 * A row's label: what it does, then its marks, the states it sets up (green) and reads (blue),
 * a long list cut, the states a finding's path names kept and in red.
 */
function nodeLabel(row: Row, rules: string[], named: Set<string>): string {
  const lines = wrapPieces(words(`${'· '.repeat(row.depth)}${row.text}`));
  if (rules.length > 0) lines.push(`<FONT COLOR="#cc0000">◀ ${escapeHtml(rules.join(', '))}</FONT>`);
  for (const [verb, list] of [
    ['sets up', row.initializes],
    ['reads', row.reads],
  ] as const) {
    if (list.length === 0) continue;
    const shown = [...new Set([...list.filter((state) => named.has(state)), ...list])].slice(0, PICTURE_STATES);
    const more = list.length - shown.length;
    const pieces = shown.map((state, i) => {
      const text = `${state}${i < shown.length - 1 || more > 0 ? ', ' : ''}`;
      const markup = named.has(state) ? `<FONT COLOR="#cc0000"><B>${escapeHtml(state)}</B></FONT>${text.slice(state.length)}` : escapeHtml(text);
      return { markup, width: text.length };
    });
    if (more > 0) pieces.push({ markup: `and ${more} more`, width: `and ${more} more`.length });
    const color = MARK_COLORS[verb];
    const marked = wrapPieces([{ markup: `${verb} `, width: verb.length + 1 }, ...pieces]);
    lines.push(...marked.map((line) => `<FONT COLOR="${color}" POINT-SIZE="9">${line}</FONT>`));
  }
  return `<${lines.join('<BR ALIGN="LEFT"/>')}<BR ALIGN="LEFT"/>>`;
}

/** Options of the dot a picture is laid out from: how a review marks the rows a patch moved. */
export interface DotOptions {
  marks?: Map<number, RowMark>;
  /** Prefix of the SVG element ids (several pictures in one HTML page). */
  id?: string;
  /** The class that marks a finding's rows and path in the SVG (an HTML page lights them by it); f-INDEX by default. */
  findingClass?: (index: number) => string;
}

const MARK_LOOK: Record<RowMark, string> = {
  '+': 'fillcolor="#e6f4e6", style="filled"',
  '~': 'fillcolor="#fff1d6", style="filled"',
  '-': 'fillcolor="#eeeeee", style="filled,dashed", fontcolor="#666666"',
};

const MARK_CLASS: Record<RowMark, string> = { '+': 'added', '~': 'moved', '-': 'removed' };

/** Each row's line, kvm_init()'s rows between the lines that open and close its box. */
function inKvmInitBox(rows: Row[], box: { open: string; close: string }, line: (row: Row, i: number) => string): string[] {
  const lines: string[] = [];
  let inside = false;
  for (const [i, row] of rows.entries()) {
    if (row.inKvmInit !== inside) lines.push(inside ? box.close : box.open);
    inside = row.inKvmInit;
    lines.push(line(row, i));
  }
  if (inside) lines.push(box.close);
  return lines;
}

/** Graphviz: the rows in order, kvm_init()'s inside a cluster, each finding's rows and path in red. */
export function timelineDot(graph: TimelineGraph, options: DotOptions = {}): string {
  const id = options.id ?? 't';
  const classes = (findings: number[]) => findings.map((f) => ` ${options.findingClass?.(f) ?? `f-${f}`}`).join('');
  const lines = [
    'digraph timeline {',
    `  label=${quote(graph.title)}; labelloc=t; fontname="Helvetica"; fontsize=12; rankdir=TB; nodesep=0.25; ranksep=0.2;`,
    '  node [shape=box, fontname="Courier", fontsize=10, margin="0.12,0.04", height=0.3];',
    '  edge [color="#888888", arrowsize=0.6];',
  ];
  const path = pathEdges(graph);
  const named = new Set(path.flatMap((edge) => edge.states));
  const box = {
    open: '  subgraph cluster_kvm_init { label="kvm_init()"; labeljust=l; style="rounded,dashed"; color="#5577aa"; fontname="Courier";',
    close: '  }',
  };
  lines.push(
    ...inKvmInitBox(graph.rows, box, (row, i) => {
      const label = nodeLabel(row, rulesOn(graph, row), named);
      const mark = options.marks?.get(i);
      const look = mark ? `${MARK_LOOK[mark]}, class="row${classes(row.findings)} ${MARK_CLASS[mark]}"` : `class="row${classes(row.findings)}"`;
      const red = row.findings.length > 0 ? ', color="#cc0000", fontcolor="#cc0000", penwidth=2' : '';
      return `  n${i} [id="${id}-row-${i}", label=${label}, ${look}${red}];`;
    }),
  );
  const onPath = new Map(path.map((edge) => [`${edge.from}-${edge.to}`, edge]));
  for (let i = 1; i < graph.rows.length; i++) {
    // The next row in time; red when a finding's path goes straight on to it.
    const edge = onPath.get(`${i - 1}-${i}`);
    lines.push(`  n${i - 1} -> n${i}${edge ? ` [color="#cc0000", penwidth=2, class="path${classes(edge.findings)}"]` : ''};`);
  }
  for (const edge of path) {
    if (edge.to === edge.from + 1) continue;
    const label = edge.states.length > 0 ? `, label=${quote(edgeLabel(edge))}, fontcolor="#cc0000", fontsize=9, fontname="Helvetica"` : '';
    lines.push(`  n${edge.from} -> n${edge.to} [constraint=false, color="#cc0000", penwidth=2, style=bold, class="path${classes(edge.findings)}"${label}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid: the same graph, for Markdown that renders it. */
function mermaid(graph: TimelineGraph): string {
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;
  const lines = ['---', `title: ${quote(graph.title)}`, '---', 'flowchart TD'];
  lines.push(...inKvmInitBox(graph.rows, { open: '  subgraph kvm_init["kvm_init()"]', close: '  end' }, (row, i) => `  n${i}[${label(rowText(row))}]`));
  let links = 0;
  for (let i = 1; i < graph.rows.length; i++, links++) lines.push(`  n${i - 1} --> n${i}`);
  const red: number[] = [];
  for (const edge of pathEdges(graph)) {
    if (edge.to === edge.from + 1) {
      red.push(edge.from);
      continue;
    }
    lines.push(`  n${edge.from} -.->${edge.states.length > 0 ? `|${label(edgeLabel(edge))}|` : ''} n${edge.to}`);
    red.push(links++);
  }
  const marked = graph.rows.flatMap((row, i) => (row.findings.length > 0 ? [`n${i}`] : []));
  if (marked.length > 0) lines.push('  classDef finding stroke:#d00,stroke-width:2px,color:#d00', `  class ${marked.join(',')} finding`);
  if (red.length > 0) lines.push(`  linkStyle ${red.join(',')} stroke:#d00,stroke-width:2px`);
  return `${lines.join('\n')}\n`;
}
