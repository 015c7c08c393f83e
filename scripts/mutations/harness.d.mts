// The types of scripts/mutations/harness.mjs, for the CLI's test suite.
import type { Finding } from '@kvm-rules/core';
import type { ExpectedFinding, MutationCase } from './cases.mjs';

/** What one case did: the expected findings it missed, and the findings it added or lost unasked. */
export interface MutationOutcome {
  change: MutationCase;
  missed: ExpectedFinding[];
  falseAlarms: (Finding & { removed?: true })[];
}

/** The findings of each unedited tree and arch, filled as cases run (`<tree>/<arch>` → findings). */
export type Baselines = Map<string, Finding[]>;

export declare function runCase(tree: string, baselines: Baselines, change: MutationCase): Promise<MutationOutcome>;

/** Copies of the trees the cases edit (version → path); `remove()` when done. */
export declare function treeCopies(versions: readonly string[]): { copies: Map<string, string>; remove: () => void };
