// Runs the kvm-rules command line in-process, as the tests see it: exit code and both streams.
import { main } from '../src/cli.js';
import type { CheckResult } from '../src/formatters/index.js';

export async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // Width 0, no limit: the tests read a finding's message on one line; those about fitting lines give --max-width.
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false, width: 0 });
  return { code, stdout, stderr };
}

/** `kvm-rules check --format json …`: the exit code and the parsed report; bad input (exit 2) throws with its message. */
export async function checkJson(...argv: string[]): Promise<{ code: number; result: CheckResult }> {
  const { code, stdout, stderr } = await run('check', '--format', 'json', ...argv);
  if (code === 2) throw new Error(stderr);
  return { code, result: JSON.parse(stdout) as CheckResult };
}
