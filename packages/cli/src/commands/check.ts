import { resolve } from 'node:path';
import {
  applyBaseline,
  buildCheck,
  configureRules,
  displayPath,
  GENERIC_ARCH,
  InputError,
  majorMinor,
  readBaseline,
  runRules,
  summarize,
  baselineText,
  type Finding,
  type Plugin,
  type Profile,
} from '@kvm-rules/core';
import { currentHash } from '../cache.js';
import { atRevision, newSince } from '../changed-since.js';
import { resolveConfig, type ConfigFlags } from '../config.js';
import { readingTree, type Progress } from '../progress.js';
import { removeStaleReport, writeWhole } from '../output-file.js';
import { ExitCode } from '../exit-codes.js';
import { formatters, type CheckResult } from '../formatters/index.js';
import { countsForExit, plural } from '../formatters/shared.js';
import { kernelTreeAround } from '../kernel-dir.js';
import { chooseProfile, loadCheckProject, parseRuleOverrides, type LoadedProject } from '../project.js';

export interface CheckOptions extends ConfigFlags {
  profile?: string;
  arch: string[];
  variant: string[];
  rule: string[];
  plugin: string[];
  rulesDir: string[];
  /** A kernel tree to read instead of trusting the declarations. */
  kernel?: string;
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

interface Subject {
  profile: Profile;
  /** Every arch of the tree (or of the profile's kernel version), selected or not: the rules judge them all. */
  plugins: Plugin[];
  /** The archs --arch selected (all without it): only their findings, and the generic ones, are reported. */
  reported: Plugin[];
  /** With --kernel: what the reading of the tree depended on (for --cache). */
  inputs?: Record<string, string>;
  kernel?: CheckResult['kernel'];
  stats?: CheckResult['stats'];
}

/**
 * With --kernel, the plugins are derived from the tree and the ordering is the tree's own
 * kvm_init(), unless --profile asks "what if this tree had that ordering".
 */
async function kernelSubject(
  dir: string,
  project: LoadedProject,
  profileId: string | undefined,
  progress: Progress = () => {},
): Promise<Subject> {
  // Loaded only for --kernel: tree-sitter costs a check of declarations its start-up time.
  const { analyzeKernel, KernelTree } = await import('@kvm-rules/kernel-source');
  const tree = KernelTree.open(dir);
  rejectOtherKernelVariants(project, majorMinor(tree.version));
  const whatIf = profileId === undefined ? undefined : chooseProfile(project.profiles, project.plugins, profileId);
  const onArch = readingTree(progress, tree.version);
  const version = majorMinor(tree.version);
  const selected = new Set(project.pluginsFor(version).map((plugin) => plugin.id));
  // Every arch is read, not only the selected ones: a generic finding is judged across them all.
  const analysis = await analyzeKernel(tree, { plugins: project.everyPluginFor(version), profiles: project.profiles, onArch, ...(whatIf ? { whatIf } : {}) });
  progress(undefined);
  const reported = analysis.plugins.filter((plugin) => selected.has(plugin.id));
  // Whether each module can be loaded at run time, and the Kconfig line that says so: what a window that needs userspace rests on.
  const modules = reported.flatMap((plugin) =>
    plugin.modules.map((m) => ({ arch: plugin.id, init: m.init, file: m.file, ...(m.kconfig ? { kconfig: m.kconfig } : {}) })),
  );
  return {
    profile: whatIf ?? analysis.profile,
    plugins: analysis.plugins,
    reported,
    kernel: { root: tree.root, version: tree.version, modules },
    stats: analysis.stats,
    inputs: tree.inputs,
  };
}

/** A variant is a patch to one kernel version (tdx-v7 to 5.19): it says nothing about a tree of another. */
function rejectOtherKernelVariants(project: LoadedProject, version: string): void {
  for (const plugin of project.plugins) {
    if (plugin.variant && plugin.kernel !== version) {
      throw new InputError(`--variant: ${plugin.id}'s ${plugin.variant} describes Linux ${plugin.kernel}; the tree is Linux ${version}`);
    }
  }
}

function declaredSubject(project: LoadedProject, profileId: string | undefined): Subject {
  const profile = chooseProfile(project.profiles, project.plugins, profileId);
  return { profile, plugins: project.everyPluginFor(profile.kernel), reported: project.pluginsFor(profile.kernel) };
}

/**
 * --arch narrows, never adds: the rules run over every arch, and the findings of the archs not
 * selected are dropped. The generic findings stay, the same as without --arch.
 */
function reportedOnly(findings: Finding[], subject: Subject): Finding[] {
  if (subject.reported.length === subject.plugins.length) return findings;
  const archs = new Set([GENERIC_ARCH, ...subject.reported.map((plugin) => plugin.id)]);
  return findings.filter((finding) => archs.has(finding.arch));
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
  // Standing in a kernel tree, that tree is checked, as if it were given with --kernel (and its
  // root is where a configuration is looked for, as data only).
  const around = options.kernel === undefined ? kernelTreeAround(process.cwd()) : undefined;
  if (around !== undefined) options = { ...options, kernel: around };
  const config = await resolveConfig(options);
  if (config.printed) return config.printed;
  options = config.options;
  // An interrupted or failed run must not leave the last run's report looking like its own.
  if (options.outputFile) removeStaleReport(options.outputFile, '--output-file');
  const formatter = formatters.get(options.format);
  if (!formatter) throw new InputError(`--format: unknown format "${options.format}" (formats: ${[...formatters.keys()].join(', ')})`);
  const { project, extra } = await loadCheckProject(options);
  const rules = configureRules(config.rules(project), parseRuleOverrides(options.rule));
  const profileId = extra?.id ?? options.profile;
  if (options.changedSince !== undefined && !options.kernel) {
    throw new InputError('--changed-since needs --kernel: it compares the kernel tree with itself at a git revision');
  }
  const subject = options.kernel ? await kernelSubject(options.kernel, project, profileId, options.progress) : declaredSubject(project, profileId);
  const { profile, reported: plugins, kernel, stats } = subject;
  const findingsOf = (s: Subject) => reportedOnly(runRules(buildCheck(s.profile, s.plugins, [...project.profiles, s.profile]), rules), s);
  let found = findingsOf(subject);
  // What the report is, said before it: lines that stylish output starts with.
  const preamble: string[] = [];
  if (!options.kernel) preamble.push(`no kernel tree here: checking the bundled declarations of ${profile.id}`, '(run inside a Linux tree, or give one: kvm-rules check DIR)');
  if (options.kernel && options.changedSince !== undefined) {
    options.progress?.(`kvm-rules: reading ${options.changedSince} from git`);
    const before = await atRevision(options.kernel, options.changedSince, async (copy) => findingsOf(await kernelSubject(copy, project, profileId, options.progress)));
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
    rules: rules.map((rule) => ({
      id: rule.id,
      summary: project.rules.find((definition) => definition.id === rule.id)?.summary ?? '',
      severity: rule.severity,
      docs: displayPath(project.docsOf(rule.module.name) ?? rule.module.meta.docs.url),
      kind: rule.module.name,
      description: rule.module.meta.docs.description,
    })),
  };
  // Plugin drift at its default severity is about kvm-rules' plugins, not the kernel: it never fails the check.
  const counted = summarize(all.filter((finding) => countsForExit(finding, result)));
  const tooManyWarnings = options.maxWarnings !== undefined && counted.warnings > options.maxWarnings;
  const exitCode = counted.errors > 0 || tooManyWarnings ? ExitCode.findings : ExitCode.clean;
  let output = formatter(result, { color: options.color && !options.outputFile, ...(options.maxWidth !== undefined ? { width: options.maxWidth } : {}), docsBaseUrl: config.docsBaseUrl });
  if (options.format === 'stylish') {
    if (preamble.length > 0) output = `${preamble.join('\n')}\n${output}`;
    if (tooManyWarnings) output += `kvm-rules found too many warnings (maximum: ${options.maxWarnings}).\n`;
  }
  // Said on stderr: what was written where, so that a report sent to a file still shows its outcome.
  const notices: string[] = [];
  if (options.writeBaseline) notices.push(`kvm-rules: wrote ${plural(found.length, 'finding')} to the baseline ${options.writeBaseline}; runs with --baseline ${options.writeBaseline} report only findings it does not know`);
  if (options.outputFile) {
    writeWhole(options.outputFile, output, '--output-file');
    notices.push(`kvm-rules: wrote the ${options.format} report to ${options.outputFile}: ${outcome(summary, exitCode)}`);
  }
  // A plugin named by package is no path on the command line: what the run loaded from it is an input.
  const packageInputs = Object.fromEntries(project.given.map((pkg) => [pkg.dir, currentHash(pkg.dir)]));
  return { result, output: options.outputFile ? '' : output, exitCode, inputs: { ...config.inputs, ...packageInputs, ...subject.inputs }, notices };
}

/** "7 problems (4 errors, 3 warnings), exit 1": the run's outcome in one phrase. */
function outcome(summary: { errors: number; warnings: number }, exitCode: number): string {
  const problems = summary.errors + summary.warnings;
  const what = problems === 0 ? 'no problems' : `${plural(problems, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')})`;
  return `${what}, exit ${exitCode}`;
}
