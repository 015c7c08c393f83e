// `kvm-rules timeline --arch X`: the timeline of an arch's module init under a profile (declared,
// or read from a tree with --kernel), with the places its findings rest on marked.
import { buildTimeline, InputError } from '@kvm-rules/core';
import { loadCheckProject } from '../project.js';
import { renderTimeline, type TimelineFormat } from '../timeline/render.js';

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
  return plugin.modules.map((module) => renderTimeline(buildTimeline(plugin, module, outcome.profile), findings, options.format)).join('\n');
}
