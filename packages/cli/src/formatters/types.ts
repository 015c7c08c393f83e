import type { BaselineEntry, Finding, FindingSeverity } from '@kvm-rules/core';

/** A rule that ran: what the sarif, junit and mail formatters say about it (not part of the JSON contract). */
export interface RuleInfo {
  id: string;
  /** One line, from the rule file. */
  summary: string;
  /** The severity it ran with (after --rule). */
  severity: FindingSeverity;
  /** Its kind's page (meta.docs.url in the package that brought the kind), as a path shown like file paths; reports link to it on the web (links.ts). */
  docs: string;
  /** Its rule kind and what the kind checks. */
  kind: string;
  description: string;
}

/** What `check` produces; the json formatter writes exactly this (docs/json-output.md). */
/** A module init of a reported arch, as the tree builds it: loadable at run time, or built in. */
export interface KernelModule {
  arch: string;
  init: string;
  file: string;
  kconfig?: { symbol: string; loadable: boolean; text: string; location: { file: string; line: number; column: number } };
}

export interface CheckResult {
  profile: string;
  archs: string[];
  findings: Finding[];
  summary: { errors: number; warnings: number };
  /** Plugin variants applied, by arch (shown by stylish; not part of the JSON contract). */
  variants: Record<string, string>;
  /** With --kernel: the tree read (locations in findings are relative to its root). */
  kernel?: { root: string; version: string; modules?: KernelModule[] };
  /** With --baseline or --write-baseline: the file, the findings it suppressed, its entries that no longer match. */
  baseline?: { file: string; suppressed: number; stale: BaselineEntry[] };
  /** With --kernel: how much of the tree was read. */
  stats?: { filesRead: number; functionsParsed: number };
  /** Every rule that ran, in load order (not part of the JSON contract). */
  rules?: RuleInfo[];
}

export interface FormatOptions {
  color: boolean;
  /** The columns stylish fits its lines to (a terminal's width; 80 by default); 0: no limit. */
  width?: number;
  /** The configuration's docsBaseUrl: where the default rule set's pages are (see links.ts). */
  docsBaseUrl?: string;
}

export type Formatter = (result: CheckResult, options: FormatOptions) => string;
