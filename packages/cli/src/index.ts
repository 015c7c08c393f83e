export { main, type Io } from './cli.js';
export { runCheck, type CheckOptions } from './commands/check.js';
export { formatters, type CheckResult, type Formatter, type RuleInfo } from './formatters/index.js';
export { ExitCode } from './exit-codes.js';
