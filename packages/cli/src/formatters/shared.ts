// What several formatters need besides the findings: the tool's version, the rules that ran,
// where a location's file is, and findings per arch.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { GENERIC_ARCH, type Finding } from '@kvm-rules/core';
import type { CheckResult, RuleInfo } from './types.js';

/** The version of kvm-rules (packages/cli/package.json, from src/ or dist/ alike). */
export const toolVersion: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The rules that ran, in load order; rules that produced a finding but are missing from
 * `result.rules` (a result read back from JSON has none) are added with what a finding says.
 */
export function rulesOf(result: CheckResult): RuleInfo[] {
  const rules = [...(result.rules ?? [])];
  const known = new Set(rules.map((rule) => rule.id));
  for (const finding of result.findings) {
    if (known.has(finding.ruleId)) continue;
    known.add(finding.ruleId);
    rules.push({ id: finding.ruleId, summary: '', severity: finding.severity, docs: '', kind: '', description: '' });
  }
  return rules;
}

/**
 * What a location's file is relative to. With --kernel, findings point into the tree (its root),
 * but some related locations point into a profile or plugin of this project, relative to the
 * working directory: a file found there and not in the tree.
 */
export function baseOf(file: string, result: Pick<CheckResult, 'kernel'>): 'kernel' | 'project' {
  if (!result.kernel) return 'project';
  if (existsSync(join(result.kernel.root, file))) return 'kernel';
  return existsSync(resolve(file)) ? 'project' : 'kernel';
}

/** A location's file as an absolute path (see baseOf). */
export function absolutePathOf(file: string, result: Pick<CheckResult, 'kernel'>): string {
  if (isAbsolute(file)) return file;
  const { kernel } = result;
  return kernel && baseOf(file, { kernel }) === 'kernel' ? join(kernel.root, file) : resolve(file);
}

/** Findings per arch, in the order the findings come (sorted by arch). */
export function groupByArch(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const group = groups.get(finding.arch) ?? [];
    group.push(finding);
    groups.set(finding.arch, group);
  }
  return groups;
}

/**
 * Every arch a report is about: "generic" (findings about the profile itself), the archs
 * analyzed in load order, then any other arch a finding names.
 */
export function archsOf(result: CheckResult): string[] {
  const archs = [GENERIC_ARCH, ...result.archs];
  for (const finding of result.findings) if (!archs.includes(finding.arch)) archs.push(finding.arch);
  return archs;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The rule kind whose findings are about kvm-rules' own plugins (their declarations against the tree), not about the kernel. */
export const PLUGIN_DRIFT = 'plugin-drift';

/**
 * Whether a finding is plugin drift: its rule is of kind plugin-drift (by its id when the result
 * does not list the rules that ran, as a JSON report read back).
 */
export function isPluginDrift(finding: Finding, result: Pick<CheckResult, 'rules'>): boolean {
  const rule = result.rules?.find((r) => r.id === finding.ruleId);
  return rule ? rule.kind === PLUGIN_DRIFT : finding.ruleId === PLUGIN_DRIFT;
}

/**
 * What the exit code counts: every finding but plugin drift at its default severity, warning.
 * Drift says a plugin is out of date, not that the kernel is wrong: it never fails a kernel's CI
 * (not even with --max-warnings) unless its rule is raised to error.
 */
export function countsForExit(finding: Finding, result: Pick<CheckResult, 'rules'>): boolean {
  return finding.severity === 'error' || !isPluginDrift(finding, result);
}
