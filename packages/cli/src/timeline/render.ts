// The timeline of one arch's module init under a profile, drawn from the same events the rules
// judge (core's buildTimeline): the module init's phases top to bottom, kvm_init()'s steps nested
// where it is called, each hook call (once, on each CPU, on rollback) and lifecycle event, the
// state each phase initializes, and the places a finding rests on marked. `text` is the seed's
// indented list form; `dot` (Graphviz) and `mermaid` are the same graph for docs and tools.
import { formatLocation, type Finding, type Location, type Timeline, type TimelineEvent } from '@kvm-rules/core';
import type { TIMELINE_FORMATS } from '../command-line.js';

export type TimelineFormat = (typeof TIMELINE_FORMATS)[number];

/** One line of the timeline: its depth (0 module init, 1 inside kvm_init(), 2 a hook a step runs), its words, and the findings resting on it. */
interface Row {
  depth: number;
  text: string;
  findings: Finding[];
}

const ON: Partial<Record<string, string>> = { 'each-online-cpu': ' on each online CPU' };

/** The findings that name this place, as their own place or one of their related places. */
function findingsAt(location: Location, findings: Finding[]): Finding[] {
  const same = (other: Location | undefined) => other?.file === location.file && other.line === location.line;
  return findings.filter((f) => same(f.location) || (f.related ?? []).some((r) => same(r.location)));
}

function rowOf(event: TimelineEvent, insideKvmInit: boolean): Omit<Row, 'findings'> | undefined {
  switch (event.kind) {
    case 'Phase':
      return event.phase.call === 'kvm_init'
        ? { depth: 0, text: 'kvm_init()' }
        : { depth: 0, text: `${event.phase.assigns ? `${event.phase.call} = …` : `${event.phase.call}()`}${initializes(event.phase.initializes)}` };
    case 'KvmInitStep':
      return { depth: 1, text: `${event.step.id}${initializes(event.step.initializes)}` };
    case 'HookCall': {
      const impl = event.hook ? (event.hook.impl !== event.name ? ` → ${event.hook.impl}()` : '') : ' (not implemented)';
      const reads = event.hook?.requires.map((r) => r.state) ?? [];
      const when = event.rollback ? ' on rollback' : '';
      return {
        depth: insideKvmInit ? 2 : 1,
        text: `hook ${event.name}()${ON[event.on] ?? ''}${when}${impl}${reads.length > 0 ? `, reads ${reads.join(', ')}` : ''}`,
      };
    }
    case 'Lifecycle':
      return { depth: insideKvmInit ? 2 : 1, text: `from here: ${event.event.summary} (${event.event.window})` };
    case 'Expose':
      return { depth: 2, text: '/dev/kvm exposed to userspace' };
    case 'ModuleInitDone':
      return { depth: 0, text: 'module init done' };
    default:
      return undefined;
  }
}

const initializes = (states: string[]) => (states.length > 0 ? `, initializes ${states.join(', ')}` : '');

/** The rows of a timeline, in order; lifecycle hook calls are folded into their event's row. */
function rows(timeline: Timeline, findings: Finding[]): Row[] {
  const out: Row[] = [];
  let insideKvmInit = false;
  for (const event of timeline.events) {
    // kvm_init()'s steps and the hooks they run follow its Phase event, up to the next phase.
    if (event.kind === 'Phase') insideKvmInit = event.phase.call === 'kvm_init';
    if (event.kind === 'HookCall' && event.trigger.kind === 'lifecycle') continue;
    const row = rowOf(event, insideKvmInit);
    if (row) out.push({ ...row, findings: findingsAt(event.location, findings) });
  }
  return out;
}

export function renderTimeline(timeline: Timeline, findings: Finding[], format: TimelineFormat): string {
  const list = rows(timeline, findings);
  const title = `${timeline.arch}: ${timeline.module.init}() (${formatLocation(timeline.module.location)}) under ${timeline.profile.id}`;
  switch (format) {
    case 'dot':
      return dot(title, list);
    case 'mermaid':
      return mermaid(title, list);
    default:
      return text(title, list, findings);
  }
}

function text(title: string, list: Row[], findings: Finding[]): string {
  const lines = [title, ''];
  for (const row of list) {
    const marks = row.findings.map((f) => f.ruleId);
    lines.push(`${'  '.repeat(row.depth)}- ${row.text}${marks.length > 0 ? `   <- ${[...new Set(marks)].join(', ')}` : ''}`);
  }
  if (findings.length > 0) {
    lines.push('', 'findings marked <-:');
    for (const finding of findings)
      lines.push(`  ${finding.location ? `${formatLocation(finding.location)}  ` : ''}${finding.severity}  ${finding.ruleId}: ${finding.message}`);
  }
  return `${lines.join('\n')}\n`;
}

const quote = (text: string) => JSON.stringify(text);

/** Graphviz: the steps in order, kvm_init()'s inside a cluster, what a finding rests on in red. */
function dot(title: string, list: Row[]): string {
  const lines = ['digraph timeline {', `  label=${quote(title)}; labelloc=t; rankdir=TB; node [shape=box, fontname="monospace"];`];
  let inCluster = false;
  for (const [i, row] of list.entries()) {
    if (row.depth > 0 && !inCluster) {
      lines.push('  subgraph cluster_kvm_init { label="kvm_init()"; style=rounded;');
      inCluster = true;
    } else if (row.depth === 0 && inCluster) {
      lines.push('  }');
      inCluster = false;
    }
    const red = row.findings.length > 0 ? ', color=red, fontcolor=red, penwidth=2' : '';
    lines.push(
      `  n${i} [label=${quote(`${row.text}${row.findings.length > 0 ? `\n${[...new Set(row.findings.map((f) => f.ruleId))].join(', ')}` : ''}`)}${red}];`,
    );
  }
  if (inCluster) lines.push('  }');
  for (let i = 1; i < list.length; i++) lines.push(`  n${i - 1} -> n${i};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid: the same graph, for Markdown that renders it. */
function mermaid(title: string, list: Row[]): string {
  const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;
  const lines = ['---', `title: ${quote(title)}`, '---', 'flowchart TD'];
  let inCluster = false;
  for (const [i, row] of list.entries()) {
    if (row.depth > 0 && !inCluster) {
      lines.push('  subgraph kvm_init["kvm_init()"]');
      inCluster = true;
    } else if (row.depth === 0 && inCluster) {
      lines.push('  end');
      inCluster = false;
    }
    lines.push(`  n${i}[${label(row.text)}]`);
  }
  if (inCluster) lines.push('  end');
  for (let i = 1; i < list.length; i++) lines.push(`  n${i - 1} --> n${i}`);
  const red = list.flatMap((row, i) => (row.findings.length > 0 ? [`n${i}`] : []));
  if (red.length > 0) lines.push('  classDef finding stroke:#d00,stroke-width:2px,color:#d00', `  class ${red.join(',')} finding`);
  return `${lines.join('\n')}\n`;
}
