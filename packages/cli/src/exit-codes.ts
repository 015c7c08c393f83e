/** ESLint's exit codes, which CI systems already understand. */
export const ExitCode = {
  /** No errors, and warnings within --max-warnings. */
  clean: 0,
  /** Errors, or more warnings than --max-warnings. */
  findings: 1,
  /** Bad input (a rule file, plugin, profile or option) or a crash. */
  badInput: 2,
} as const;
