// `kvm-rules review SERIES`: reads the series, reviews it against a scratch copy of the tree,
// and writes the report. Exit 1 when a patch introduces an error, even one a later patch fixes
// (each step of a series must stand on its own); 2 for a series that is no series or does not apply.
import { configureRules, InputError, type Finding } from '@kvm-rules/core';
import { resolveConfig } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { preloadLayoutEngine } from '../timeline/svg.js';
import { kernelTreeAround } from '../kernel-dir.js';
import { writeWhole, removeStaleReport } from '../output-file.js';
import type { Progress } from '../progress.js';
import { loadCheckProject, parseRuleOverrides, ruleInfos } from '../project.js';
import { formatReview, reviewSummary, type ReviewFormat } from '../review/format.js';
import { reviewSeries } from '../review/review.js';
import { rangeBase, readSeries } from '../review/series.js';
import { atRevision } from '../changed-since.js';
import { readSetOf } from '../read-set.js';
import type { Review } from '../review/review.js';
import { touched } from '../review/scratch.js';

export interface ReviewOptions {
  series: string;
  kernel?: string;
  plugin: string[];
  rulesDir: string[];
  arch: string[];
  rule: string[];
  format: ReviewFormat;
  outputFile?: string;
  progress?: Progress;
  /** The columns stylish fits its lines to (--max-width, or the terminal's); 80 when not given; 0: no limit. */
  maxWidth?: number;
}

export async function runReview(options: ReviewOptions): Promise<{ output: string; exitCode: number; notices: string[] }> {
  const kernel = options.kernel ?? kernelTreeAround(process.cwd());
  if (kernel === undefined) throw new InputError("review: no kernel tree here (run inside a Linux tree at the series' base, or give one: --kernel DIR)");
  if (options.outputFile) removeStaleReport(options.outputFile, '--output-file');
  // The tree is opened first: a path that is no kernel tree is said before the series is read.
  const { kernelReader } = await import('@kvm-rules/kernel-source');
  await kernelReader.open(kernel);
  const series = await readSeries(options.series, kernel);
  // The configuration as check has it (kvm-rules.config.* here or in the tree): its rules, ignores and exceptions.
  const config = await resolveConfig({ kernel, plugin: options.plugin, rulesDir: options.rulesDir, arch: options.arch, rule: options.rule, variant: [] });
  const { project } = await loadCheckProject(config.options);
  const rules = configureRules(config.rules(project), parseRuleOverrides(config.options.rule));
  const html = options.format === 'html';
  // html draws timelines: its layout engine (WebAssembly) loads while the series is checked.
  if (html) preloadLayoutEngine();
  const request = {
    checker: project,
    keep: html,
    rules,
    filter: (findings: Finding[]) => config.filter(findings),
    onStep: (index: number, total: number) =>
      options.progress?.(index === 0 ? `kvm-rules: checking the base` : `kvm-rules: applying and checking patch ${index}/${total}`),
  };
  const base = rangeBase(options.series);
  let review: Review;
  if (base === undefined) review = await reviewSeries(series, kernel, request);
  else {
    // REV..REV: the working tree is the series' end; its base is read from git, with what a check of the working tree reads.
    const now = await project.check({ kernel, rules });
    const also = [...(now.kernel && now.inputs ? readSetOf(now.inputs, now.kernel.root).files : []), ...series.patches.flatMap(touched)];
    review = await atRevision(kernel, base, (copy) => reviewSeries(series, copy, { ...request, treeName: `${kernel} as of ${base}` }), also, 'review');
    review.kernel.root = kernel;
    review.kernel.revision = base;
  }
  options.progress?.(undefined);
  const { format } = options;
  const output =
    format === 'html'
      ? await (
          await import('../review/html.js')
        ).reviewHtml(review, { rules: ruleInfos(project, rules), ...(config.docsBaseUrl !== undefined ? { docsBaseUrl: config.docsBaseUrl } : {}) })
      : formatReview(review, format, options.maxWidth);
  const summary = reviewSummary(review);
  const exitCode = summary.errors + summary.madeErrors > 0 ? ExitCode.findings : ExitCode.clean;
  if (!options.outputFile) return { output, exitCode, notices: [] };
  writeWhole(options.outputFile, output, '--output-file');
  return { output: '', exitCode, notices: [`kvm-rules: wrote the ${options.format} review to ${options.outputFile}`] };
}
