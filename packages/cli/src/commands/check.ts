import { resolve } from 'node:path';
import {
  applyBaseline,
  configureRules,
  displayPath,
  InputError,
  readBaseline,
  summarize,
  baselineText,
  type CheckRequest,
  type Finding,
} from '@kvm-rules/core';
import { currentHash } from '../cache.js';
import { readSetOf } from '../read-set.js';
import { resolveConfig, type ConfigInput } from '../config.js';
import { readingTree, type Progress } from '../progress.js';
import { removeStaleReport, writeWhole } from '../output-file.js';
import { ExitCode } from '../exit-codes.js';
import { preloadLayoutEngine } from '../timeline/svg.js';
import { formatters, type CheckResult } from '../formatters/index.js';
import { countsForExit, plural } from '../formatters/shared.js';
import { withTreeAround } from '../kernel-dir.js';
import { givenPackages, loadCheckProject, parseRuleOverrides, ruleInfos } from '../project.js';

/** What `check` is given: the configuration's options (a kernel tree to read, the plugins, archs, rules…) and the run's own. */
export interface CheckOptions extends ConfigInput {
  /** Where long work says how far it is (a terminal's stderr); nothing by default. */
  progress?: Progress;
  /** With --kernel, a git revision: report only the findings the tree at that revision did not have. */
  changedSince?: string;
  /** Findings known in this file are not reported (see --write-baseline). */
  baseline?: string;
  /** Write every finding of this run to a baseline file. */
  writeBaseline?: string;
  format: string;
  outputFile?: string;
  maxWarnings?: number;
  quiet?: boolean;
  color: boolean;
  /** The columns stylish fits its lines to (--max-width, or the terminal's); 80 when not given; 0: no limit. */
  maxWidth?: number;
}

const HTML = 'html';

function noProgress(): void {
  // No terminal to show progress on.
}

/** What the Checker is asked: a tree to read (its progress shown on a terminal) or the declarations, under a profile. */
function checkRequest(profile: string | undefined, kernel: string | undefined, rules: CheckRequest['rules'], progress: Progress = noProgress): CheckRequest {
  let onArch: CheckRequest['onArch'];
  return {
    ...(profile !== undefined ? { profile } : {}),
    ...(kernel !== undefined ? { kernel } : {}),
    ...(rules ? { rules } : {}),
    onReading: (version) => (onArch = readingTree(progress, version)),
    onArch: (arch, i, total) => onArch?.(arch, i, total),
  };
}

/**
 * --write-baseline accepts every finding of this run (nothing is left to report); --baseline
 * reports only what the file does not know, and which of its entries no longer match.
 */
function againstBaseline(findings: Finding[], options: CheckOptions): { findings: Finding[]; baseline?: CheckResult['baseline'] } {
  if (options.writeBaseline) {
    writeWhole(options.writeBaseline, baselineText(findings), '--write-baseline');
    return { findings: [], baseline: { file: displayPath(resolve(options.writeBaseline)), suppressed: findings.length, stale: [] } };
  }
  if (!options.baseline) return { findings };
  const outcome = applyBaseline(findings, readBaseline(resolve(options.baseline)));
  return { findings: outcome.findings, baseline: { file: displayPath(resolve(options.baseline)), suppressed: outcome.suppressed, stale: outcome.stale } };
}

export async function runCheck(
  options: CheckOptions,
): Promise<{ result: CheckResult; output: string; exitCode: number; inputs: Record<string, string>; notices: string[] }> {
  const config = await resolveConfig(withTreeAround(options));
  options = config.options;
  // An interrupted or failed run must not leave the last run's report looking like its own.
  if (options.outputFile) removeStaleReport(options.outputFile, '--output-file');
  // html is drawn from the model as well as the result (report/html.ts); the others format the result.
  const formatter = options.format === HTML ? undefined : formatters.get(options.format);
  if (!formatter && options.format !== HTML)
    throw new InputError(`--format: unknown format "${options.format}" (formats: ${[...formatters.keys(), HTML].join(', ')})`);
  // Its layout engine (WebAssembly) starts loading now, its compilation going on while the tree is read.
  if (options.format === HTML) preloadLayoutEngine();
  const { project, extra } = await loadCheckProject(options);
  const rules = configureRules(config.rules(project), parseRuleOverrides(options.rule));
  const profileId = extra?.id ?? options.profile;
  if (options.changedSince !== undefined && !options.kernel) {
    throw new InputError('--changed-since needs --kernel: it compares the kernel tree with itself at a git revision');
  }
  const checked = await project.check(checkRequest(profileId, options.kernel, rules, options.progress));
  options.progress?.(undefined);
  const { profile, plugins, kernel, stats } = checked;
  let found = checked.findings;
  // What the report is, said before it: lines that stylish output starts with.
  const preamble: string[] = [];
  if (!options.kernel)
    preamble.push(`no kernel tree here: checking the bundled declarations of ${profile.id}`, '(run inside a Linux tree, or give one: kvm-rules check DIR)');
  if (options.kernel && options.changedSince !== undefined) {
    options.progress?.(`kvm-rules: reading ${options.changedSince} from git`);
    // Loaded here: it runs git (node:child_process), which no other check needs at start-up.
    const { atRevision, newSince } = await import('../changed-since.js');
    const before = await atRevision(
      options.kernel,
      options.changedSince,
      async (copy) => (await project.check(checkRequest(profileId, copy, rules, options.progress))).findings,
      checked.kernel && checked.inputs ? [...readSetOf(checked.inputs, checked.kernel.root).files] : [],
    );
    options.progress?.(undefined);
    const all = found.length;
    found = newSince(found, before);
    preamble.push(`only findings new since ${options.changedSince}; ${plural(all - found.length, 'finding')} of ${options.changedSince} not shown`);
  }
  found = config.filter(found);
  const { findings: all, baseline } = againstBaseline(found, options);
  const summary = summarize(all);
  const findings = options.quiet ? all.filter((f) => f.severity === 'error') : all;
  const result: CheckResult = {
    profile: profile.id,
    archs: plugins.map((p) => p.id),
    findings,
    summary: options.quiet ? summarize(findings) : summary,
    variants: Object.fromEntries(plugins.flatMap((p) => (p.variant ? [[p.id, p.variant]] : []))),
    ...(kernel ? { kernel } : {}),
    ...(stats ? { stats } : {}),
    ...(baseline ? { baseline } : {}),
    rules: ruleInfos(project, rules),
  };
  // Plugin drift at its default severity is about kvm-rules' plugins, not the kernel: it never fails the check.
  const counted = summarize(all.filter((finding) => countsForExit(finding, result)));
  const tooManyWarnings = options.maxWarnings !== undefined && counted.warnings > options.maxWarnings;
  const exitCode = counted.errors > 0 || tooManyWarnings ? ExitCode.findings : ExitCode.clean;
  let output = formatter
    ? formatter(result, {
        color: options.color && !options.outputFile,
        ...(options.maxWidth !== undefined ? { width: options.maxWidth } : {}),
        docsBaseUrl: config.docsBaseUrl,
      })
    : await (
        await import('../report/html.js')
      ).htmlReport({ result, model: checked, ...(config.docsBaseUrl !== undefined ? { docsBaseUrl: config.docsBaseUrl } : {}) });
  if (options.format === 'stylish') {
    if (preamble.length > 0) output = `${preamble.join('\n')}\n${output}`;
    if (tooManyWarnings) output += `kvm-rules found too many warnings (maximum: ${options.maxWarnings}).\n`;
  }
  // Said on stderr: what was written where, so that a report sent to a file still shows its outcome.
  const notices: string[] = [];
  if (options.writeBaseline)
    notices.push(
      `kvm-rules: wrote ${plural(found.length, 'finding')} to the baseline ${options.writeBaseline}; runs with --baseline ${options.writeBaseline} report only findings it does not know`,
    );
  if (options.outputFile) {
    writeWhole(options.outputFile, output, '--output-file');
    notices.push(`kvm-rules: wrote the ${options.format} report to ${options.outputFile}: ${outcome(summary, exitCode)}`);
  }
  // A plugin named by package is no path on the command line: what the run loaded from it is an input.
  const packageInputs = Object.fromEntries(givenPackages(project).map((pkg) => [pkg.dir, currentHash(pkg.dir)]));
  return { result, output: options.outputFile ? '' : output, exitCode, inputs: { ...config.inputs, ...packageInputs, ...checked.inputs }, notices };
}

/** "7 problems (4 errors, 3 warnings), exit 1": the run's outcome in one phrase. */
function outcome(summary: { errors: number; warnings: number }, exitCode: number): string {
  const problems = summary.errors + summary.warnings;
  const what = problems === 0 ? 'no problems' : `${plural(problems, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')})`;
  return `${what}, exit ${exitCode}`;
}
