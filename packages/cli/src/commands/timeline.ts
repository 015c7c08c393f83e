// `kvm-rules timeline --arch X`: the timeline of an arch's module init under a profile (declared,
// or read from a tree with --kernel), with the places its findings rest on marked.
import { buildTimeline, InputError } from '@kvm-rules/core';
import { loadCheckProject } from '../project.js';
import { renderTimeline, timelineDot, timelineGraph, type TimelineFormat } from '../timeline/render.js';

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
  const plugin = outcome.plugins.find((p) => p.id === options.arch);
  if (!plugin) throw new InputError(`timeline: no arch "${options.arch}" in this check`);
  const findings = outcome.findings.filter((f) => f.arch === options.arch && f.ruleId !== 'plugin-drift');
  const graphs = plugin.modules.map((module) => timelineGraph(buildTimeline(plugin, module, outcome.profile), findings));
  const { format } = options;
  if (format !== 'svg') return graphs.map((graph) => renderTimeline(graph, format)).join('\n');
  // An arch with two module inits (powerpc's) is two pictures: one SVG document each would not be one file, so they are stacked in one.
  const { dotToSvg, stackSvgs } = await import('../timeline/svg.js');
  const svgs = await Promise.all(graphs.map((graph, i) => dotToSvg(timelineDot(graph, { id: `t${i}` }))));
  return `${stackSvgs(svgs)}\n`;
}
