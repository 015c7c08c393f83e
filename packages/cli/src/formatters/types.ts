import type { Finding } from '@kvm-rules/core';

/** What `check` produces; the json formatter writes exactly this (docs/json-output.md). */
export interface CheckResult {
  profile: string;
  archs: string[];
  findings: Finding[];
  summary: { errors: number; warnings: number };
  /** Plugin variants applied, by arch (shown by stylish; not part of the JSON contract). */
  variants: Record<string, string>;
  /** With --kernel: the tree read (locations in findings are relative to its root). */
  kernel?: { root: string; version: string };
  /** With --kernel: how much of the tree was read. */
  stats?: { filesRead: number; functionsParsed: number };
}

export interface FormatOptions {
  color: boolean;
}

export type Formatter = (result: CheckResult, options: FormatOptions) => string;
