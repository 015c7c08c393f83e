// The types of scripts/mutations/cases.mjs, for the CLI's test suite.

/** A finding a bug must add: rule, arch, file, and the line (`at`, or [anchor, text]). */
export interface ExpectedFinding {
  rule: string;
  arch: string;
  file: string;
  at: string | [anchor: string, text: string];
  message?: string;
  severity?: string;
}

/** One replacement in a file: `find` must occur exactly once. */
export interface Replacement {
  find: string;
  replace: string;
}

/** A case: a bug (with `expect`) or a control (an equivalent rewrite, without). */
export interface MutationCase extends Replacement {
  id: string;
  tree: string;
  arch: string;
  class: string;
  file: string;
  also?: Replacement;
  more?: Replacement;
  expect?: ExpectedFinding[];
}

export declare const cases: MutationCase[];
