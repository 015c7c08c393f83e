import { Command, CommanderError } from '@commander-js/extra-typings';
import { InputError } from '@kvm-rules/core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandInputs, store } from './cache.js';
import { printedConfig } from './config.js';
import { kernelTreeAround, withTreeAround } from './kernel-dir.js';
import { terminalProgress } from './progress.js';
import { cliDir } from './project.js';
import { runCheck } from './commands/check.js';
import { runCompletion } from './commands/completion.js';
import { checkCommand, completionCommand, depsCommand, explainCommand, listCommand, newPluginCommand, reviewCommand, timelineCommand } from './command-line.js';
import { runDeps } from './commands/deps.js';
import { runExplain } from './commands/explain.js';
import { LIST_WHAT, runList, type ListWhat } from './commands/list.js';
import { EXIT_CODES_HELP, ExitCode } from './exit-codes.js';
import { toolVersion } from './formatters/shared.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout may be colored. */
  color: boolean;
  /** Whether stderr is a terminal, where long work shows progress. */
  progress?: boolean;
  /** stdout's columns when it is a terminal: stylish and deps fit their lines to it (else 80, or --max-width). */
  width?: number;
}

function buildProgram(io: Io, setExit: (code: number) => void, argv: string[]): Command {
  const program = new Command('kvm-rules')
    .description('Checks the initialization ordering of the Linux KVM module, per architecture.')
    .version(toolVersion, '-v, --version', 'print the kvm-rules version')
    .option('--debug', 'show stack traces of internal errors')
    .showHelpAfterError('(kvm-rules <command> --help shows the options)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();

  program.addCommand(
    checkCommand()
      .copyInheritedSettings(program)
      .action(async (dir, flags) => {
        const kernel = oneTree('check', dir, flags.kernel);
        if (flags.printConfig) {
          io.stdout(await printedConfig(withTreeAround({ ...flags, kernel })));
          return;
        }
        const progress = terminalProgress(io.stderr, io.progress ?? false);
        // A report written to a file is not fitted to the terminal.
        const width = flags.maxWidth ?? (flags.outputFile ? undefined : io.width);
        const options = {
          ...flags,
          ...(kernel !== undefined ? { kernel } : {}),
          color: flags.color && io.color,
          progress,
          ...(width !== undefined ? { maxWidth: width } : {}),
        };
        const { output, exitCode, inputs, notices } = await runCheck(options);
        io.stdout(output);
        for (const notice of notices) io.stderr(`${notice}\n`);
        setExit(exitCode);
        // What git holds at a revision is not a file to fingerprint: such a run is not kept.
        if (flags.cache && flags.changedSince === undefined) {
          const cwd = process.cwd();
          const all = { ...commandInputs(flags, cwd, kernel && resolve(kernel)), ...inputs };
          const report = output || (flags.outputFile ? readFileSync(flags.outputFile, 'utf8') : '');
          const warning = store(argv, { color: io.color, width: io.width }, all, { output: report, exitCode, notices });
          // After the report, and without changing the exit code: a cache that cannot be kept is no error of the run.
          if (warning) io.stderr(`${warning}\n`);
        }
      }),
  );

  program.addCommand(
    reviewCommand()
      .copyInheritedSettings(program)
      .action(async (series, flags) => {
        // Loaded only for this command: it reads mail and runs git.
        const { runReview } = await import('./commands/review.js');
        const progress = terminalProgress(io.stderr, io.progress ?? false);
        // A report written to a file is not fitted to the terminal.
        const width = flags.maxWidth ?? (flags.outputFile ? undefined : io.width);
        const { output, exitCode, notices } = await runReview({ ...flags, series, progress, ...(width !== undefined ? { maxWidth: width } : {}) });
        io.stdout(output);
        for (const notice of notices) io.stderr(`${notice}\n`);
        setExit(exitCode);
      }),
  );

  program.addCommand(
    timelineCommand()
      .copyInheritedSettings(program)
      .action(async (flags) => {
        const { runTimeline } = await import('./commands/timeline.js');
        io.stdout(await runTimeline(flags));
      }),
  );

  program.addCommand(
    listCommand()
      .copyInheritedSettings(program)
      .action(async (what, flags) => {
        const items = what.filter((item): item is ListWhat => (LIST_WHAT as readonly string[]).includes(item));
        const unknown = what.find((item) => !items.includes(item as ListWhat));
        if (unknown !== undefined) throw new InputError(`list: unknown "${unknown}" (profiles, plugins, rules)`);
        io.stdout(await runList(items, flags));
      }),
  );

  program.addCommand(
    depsCommand()
      .copyInheritedSettings(program)
      .action(async (dir, flags) => {
        const kernel = oneTree('deps', dir, flags.kernel) ?? kernelTreeAround(process.cwd());
        if (kernel === undefined) throw new InputError('deps: no kernel tree here (run inside a Linux tree, or give one: kvm-rules deps DIR)');
        const progress = terminalProgress(io.stderr, io.progress ?? false);
        const width = flags.maxWidth ?? io.width;
        const { output, exitCode } = await runDeps({ ...flags, kernel, progress, ...(width !== undefined ? { width } : {}) });
        io.stdout(output);
        setExit(exitCode);
      }),
  );

  program.addCommand(
    explainCommand()
      .copyInheritedSettings(program)
      .action(async (id, flags) => {
        io.stdout(await runExplain(id, flags));
      }),
  );

  program.addCommand(
    newPluginCommand()
      .copyInheritedSettings(program)
      .action(async (name, flags) => {
        // Loaded only for this command: the scaffold is its own package.
        const { createPlugin } = await import('@kvm-rules/create-plugin');
        const { output, notes } = await createPlugin(name, flags, cliDir);
        for (const note of notes) io.stderr(`kvm-rules: note: ${note}\n`);
        io.stdout(output);
      }),
  );

  program.addCommand(
    completionCommand()
      .copyInheritedSettings(program)
      .action(async (shell) => {
        io.stdout(await runCompletion(program, shell));
      }),
  );

  return program;
}

/** The tree a command reads: its DIR argument or --kernel, which must agree when both are given. */
function oneTree(command: string, dir: string | undefined, kernel: string | undefined): string | undefined {
  if (dir !== undefined && kernel !== undefined && resolve(dir) !== resolve(kernel)) {
    throw new InputError(`${command}: two kernel trees given, ${dir} and --kernel ${kernel}; give one`);
  }
  return kernel ?? dir;
}

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.clean;
  const program = buildProgram(io, (code) => (exitCode = code), argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors are bad input.
      return error.exitCode === 0 ? ExitCode.clean : ExitCode.badInput;
    }
    if (error instanceof InputError) {
      io.stderr(`kvm-rules: ${error.message}\n`);
      return ExitCode.badInput;
    }
    const debug = argv.includes('--debug');
    io.stderr(
      `kvm-rules: internal error: ${(error as Error).message}\n${debug ? `${(error as Error).stack}\n` : 'Run again with --debug for the stack trace.\n'}`,
    );
    return ExitCode.badInput;
  }
}
