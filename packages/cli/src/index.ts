export { main, type Io } from './cli.js';
export { runCheck, type CheckOptions } from './commands/check.js';
export { formatters, type CheckResult, type Formatter, type RuleInfo } from './formatters/index.js';
export { ExitCode } from './exit-codes.js';
// The programmatic API: the Checker the command line checks with (docs/api.md).
export { loadProject as createChecker, pluginPackages, type ProjectOptions as CreateCheckerOptions } from './project.js';
export { Checker, type CheckerOptions, type CheckOutcome, type CheckRequest, type KernelReader } from '@kvm-rules/core';
