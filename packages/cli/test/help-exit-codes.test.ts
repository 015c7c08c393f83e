// --help lists the exit codes after the options: the program's, check's and deps'.
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { run } from './run.js';

describe('--help lists the exit codes', () => {
  it.each([[], ['check'], ['deps']])('kvm-rules %s --help', async (...command: string[]) => {
    const { code, stdout } = await run(...command, '--help');
    expect(code).toBe(0);
    const codes = stdout.split('\nExit codes:\n')[1];
    expect(codes).toBeDefined();
    expect(codes).toMatch(new RegExp(`^ {2}${ExitCode.clean} +clean: no errors, and warnings within --max-warnings$`, 'm'));
    expect(codes).toMatch(new RegExp(`^ {2}${ExitCode.findings} +findings: errors, or more warnings than --max-warnings`, 'm'));
    expect(codes).toMatch(
      new RegExp(`^ {2}${ExitCode.badInput} +bad input \\(a rule file, plugin, profile, config file or option\\),\n +output that cannot be written`, 'm'),
    );
    expect(codes).toMatch(/^ {2}130 +interrupted/m);
    // After the options, and the last thing said.
    expect(stdout.indexOf('Exit codes:')).toBeGreaterThan(stdout.indexOf('-h, --help'));
  });

  it("not in the other commands' help, where 1 cannot happen", async () => {
    for (const command of ['list', 'explain', 'new-plugin', 'completion']) expect((await run(command, '--help')).stdout).not.toContain('Exit codes:');
  });
});
