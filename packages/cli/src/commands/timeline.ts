// `kvm-rules timeline --arch X`: the timeline of an arch's module init under a profile (declared,
// or read from a tree with --kernel), with the places its findings rest on marked.
import { InputError } from '@kvm-rules/core';
import { loadCheckProject } from '../project.js';
import { archGraphs, renderTimeline, timelineDot, type TimelineFormat } from '../timeline/render.js';

export interface TimelineOptions {
  arch: string;
  kernel?: string;
  profile?: string;
  variant: string[];
  plugin: string[];
  rulesDir: string[];
  format: TimelineFormat;
}

export async function runTimeline(options: TimelineOptions): Promise<string> {
  const { project, extra } = await loadCheckProject({ ...options, arch: [options.arch] });
  const profile = extra ?? options.profile;
  const outcome = await project.check({ ...(profile !== undefined ? { profile } : {}), ...(options.kernel !== undefined ? { kernel: options.kernel } : {}) });
  const drawn = archGraphs(outcome, options.arch, outcome.findings);
  if (!drawn) throw new InputError(`timeline: no arch "${options.arch}" in this check`);
  const graphs = drawn.map(({ graph }) => graph);
  const { format } = options;
  if (format !== 'svg') return graphs.map((graph) => renderTimeline(graph, format)).join('\n');
  // An arch with two module inits (powerpc's) is two pictures: one SVG document each would not be one file, so they are stacked in one.
  const { dotToSvg, stackSvgs } = await import('../timeline/svg.js');
  const svgs = await Promise.all(graphs.map((graph, i) => dotToSvg(timelineDot(graph, { id: `t${i}` }))));
  return `${stackSvgs(svgs)}\n`;
}
