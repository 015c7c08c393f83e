import type { Finding, FindingSeverity, RelatedLocation } from '../model/finding.js';
import { GENERIC_ARCH, sortFindings } from '../model/finding.js';
import type { ReportDescriptor, RuleListener, RuleModule, RuleNode } from '../rule-api/create-rule.js';
import { interpolate } from '../rule-api/interpolate.js';
import type { Check } from './check.js';

/** A rule kind with the id, severity and options a rule file (or the command line) gave it. */
export interface ConfiguredRule {
  id: string;
  severity: FindingSeverity;
  module: RuleModule;
  options: readonly unknown[];
}

type Visit = (node: RuleNode, exit?: boolean) => void;

/** Walks the check: Check, then each timeline and its events, then the exits, ESLint style. */
function traverse(check: Check, visit: Visit): void {
  visit(check);
  for (const timeline of check.timelines) {
    visit(timeline);
    for (const event of timeline.events) visit(event);
    visit(timeline, true);
  }
  visit(check, true);
}

/** A finding with the message id and data it was made from, for rule tests. */
export interface RuleReport {
  finding: Finding;
  messageId: string;
  data: Record<string, string | number>;
}

export function runRules(check: Check, rules: ConfiguredRule[]): Finding[] {
  return sortFindings(rules.flatMap((rule) => runRule(check, rule).map((report) => report.finding)));
}

export function runRule(check: Check, rule: ConfiguredRule): RuleReport[] {
  const reports: RuleReport[] = [];
  let currentArch = GENERIC_ARCH;
  const report = (descriptor: ReportDescriptor<string>): void => {
    const template = rule.module.meta.messages[descriptor.messageId];
    if (template === undefined) throw new Error(`rule ${rule.id} reported unknown messageId "${descriptor.messageId}"`);
    if (descriptor.severity === 'off') return;
    const location = descriptor.location ?? descriptor.node.location;
    const data = descriptor.data ?? {};
    const related = distinctRelated(descriptor.related ?? []);
    const finding: Finding = {
      ruleId: rule.id,
      severity: descriptor.severity === 'warning' ? 'warning' : rule.severity,
      arch: descriptor.arch ?? currentArch,
      profile: check.profile.id,
      message: interpolate(template, data),
      location,
      ...(related.length > 0 ? { related } : {}),
    };
    reports.push({ finding, messageId: descriptor.messageId, data });
  };
  const listeners: RuleListener = rule.module.create({ id: rule.id, options: rule.options, profile: check.profile, report });
  traverse(check, (node, exit) => {
    if (node.kind === 'Timeline' && !exit) currentArch = node.arch;
    const listener = (listeners as Record<string, ((n: RuleNode) => void) | undefined>)[exit ? `${node.kind}:exit` : node.kind];
    listener?.(node);
    if (node.kind === 'Timeline' && exit) currentArch = GENERIC_ARCH;
  });
  return reports;
}

/** Related places, each said once: the same place with the same words is one entry. */
function distinctRelated(related: RelatedLocation[]): RelatedLocation[] {
  const seen = new Set<string>();
  return related.filter((r) => {
    const key = `${r.location.file}:${r.location.line}:${r.location.column}\0${r.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
