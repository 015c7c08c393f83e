/** ESLint's exit codes, which CI systems already understand. */
export const ExitCode = {
  /** No errors, and warnings within --max-warnings. */
  clean: 0,
  /** Errors, or more warnings than --max-warnings. */
  findings: 1,
  /** Bad input (a rule file, plugin, profile or option), output that cannot be written, or a crash. */
  badInput: 2,
} as const;

/** The exit codes as `--help` lists them, after the options. */
export const EXIT_CODES_HELP = `
Exit codes:
  ${ExitCode.clean}    clean: no errors, and warnings within --max-warnings
  ${ExitCode.findings}    findings: errors, or more warnings than --max-warnings (deps: an arch
       that could not be read)
  ${ExitCode.badInput}    bad input (a rule file, plugin, profile, config file or option),
       output that cannot be written, or an internal error
  130  interrupted (Ctrl-C)
`;
