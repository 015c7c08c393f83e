import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError } from '@kvm-rules/core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandInputs, store } from './cache.js';
import { kernelTreeAround } from './kernel-dir.js';
import { terminalProgress } from './progress.js';
import { runCheck } from './commands/check.js';
import { runCompletion, SHELLS } from './commands/completion.js';
import { runDeps } from './commands/deps.js';
import { runExplain } from './commands/explain.js';
import { runList, type ListWhat } from './commands/list.js';
import { runNewPlugin } from './commands/new-plugin.js';
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

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

const maxWidth = () =>
  new Option('--max-width <n>', 'fit lines to this many columns (default: the terminal\'s width, 80 when stdout is not a terminal; 0: no limit)').argParser(wholeNumber);

function shared(command: Command): Command {
  return command
    .option('--plugin <name-or-path>', 'a plugin package: a path (folder, or one manifest file) or an npm name, kvm-rules-plugin-<name> (repeatable)', collect, [])
    .option('--rules-dir <dir>', 'a folder of extra rule files (repeatable)', collect, []);
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

  shared(program.command('check'))
    .description('compose each arch plugin with a profile and run the rules; inside a Linux tree, that tree is read')
    .argument('[dir]', 'a Linux source tree to read: the same as --kernel DIR (default: the tree the working directory is in, if any)')
    .option('--profile <id|path>', 'the generic ordering: a profile id, or a profile file (default: with --kernel, the tree\'s own kvm_init(); else the released profile of the plugins\' newest kernel)')
    .option('--arch <id>', 'only this arch (repeatable)', collect, [])
    .option('--variant <[arch=]name>', 'use a plugin variant, e.g. tdx-v7 or x86-vmx=tdx-v7 (repeatable)', collect, [])
    .option('--kernel <dir>', 'read this Linux source tree: derive each arch and the generic ordering from its C')
    .option('--config <file>', 'the configuration file (.mjs, .js, .json, .yaml); default: kvm-rules.config.{mjs,js,json,yaml} in the working directory, else kvm-rules.config.{json,yaml} in the --kernel tree (never its code)')
    .option('--print-config', 'print the resolved configuration as JSON and check nothing')
    .option('--cache', 'keep the report and reuse it while nothing the run read has changed (not with --changed-since)')
    .option('--cache-location <path>', 'the cache file, or a folder for it (default: .kvm-rules-cache)')
    .option('--changed-since <rev>', 'with --kernel in a git repository: report only the findings the tree at this revision did not have (read from git objects)')
    .option('--baseline <file>', 'do not report the findings this baseline file knows; list its entries that no longer match')
    .option('--write-baseline <file>', 'write every finding of this run to a baseline file (and report none)')
    .option('--rule <id:severity>', 'set a rule\'s severity: error, warning or off (repeatable)', collect, [])
    .addOption(new Option('--format <name>', 'output format').choices(['stylish', 'json', 'sarif', 'junit', 'github', 'mail', 'gcc']).default('stylish'))
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this (plugin-drift warnings are not counted)', wholeNumber)
    .option('--quiet', 'report errors only')
    .option('--no-color', 'never color the output')
    .addOption(maxWidth())
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (dir: string | undefined, options) => {
      options.kernel = oneTree('check', dir, options.kernel);
      const progress = terminalProgress(io.stderr, io.progress ?? false);
      // A report written to a file is not fitted to the terminal.
      const width = options.maxWidth ?? (options.outputFile ? undefined : io.width);
      const { output, exitCode, inputs, notices } = await runCheck({ ...options, color: options.color && io.color, progress, maxWidth: width });
      io.stdout(output);
      for (const notice of notices) io.stderr(`${notice}\n`);
      setExit(exitCode);
      // What git holds at a revision is not a file to fingerprint: such a run is not kept.
      if (options.cache && options.changedSince === undefined) {
        const cwd = process.cwd();
        const all = { ...commandInputs(argv, cwd, options.kernel && resolve(options.kernel), [options.outputFile, options.writeBaseline]), ...inputs };
        const report = output || (options.outputFile ? readFileSync(options.outputFile, 'utf8') : '');
        const warning = store(argv, { color: io.color, width: io.width }, all, { output: report, exitCode, notices }, options.outputFile);
        // After the report, and without changing the exit code: a cache that cannot be kept is no error of the run.
        if (warning) io.stderr(`${warning}\n`);
      }
    });

  shared(program.command('list'))
    .description('list profiles, plugins and rules')
    .argument('[what...]', 'profiles, plugins or rules (default: all)')
    .action(async (what: string[], options) => {
      for (const item of what) {
        if (!['profiles', 'plugins', 'rules'].includes(item)) throw new InputError(`list: unknown "${item}" (profiles, plugins, rules)`);
      }
      io.stdout(await runList(what as ListWhat[], options));
    });

  program
    .command('deps')
    .description('print, per arch, the state each hook reads (with the call chain) and each module-init statement writes, as read from a kernel tree')
    .argument('[dir]', 'the Linux source tree to read: the same as --kernel DIR (default: the tree the working directory is in)')
    .option('--kernel <dir>', 'the Linux source tree to read')
    .option('--plugin <name-or-path>', 'a plugin package: a path (folder, or one manifest file) or an npm name, kvm-rules-plugin-<name> (repeatable)', collect, [])
    .option('--arch <id>', 'only this arch (repeatable)', collect, [])
    .option('--all', 'every file-scope state a hook reads, not only what module init writes')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(maxWidth())
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (dir: string | undefined, options) => {
      const kernel = oneTree('deps', dir, options.kernel) ?? kernelTreeAround(process.cwd());
      if (kernel === undefined) throw new InputError('deps: no kernel tree here (run inside a Linux tree, or give one: kvm-rules deps DIR)');
      const progress = terminalProgress(io.stderr, io.progress ?? false);
      const { output, exitCode } = await runDeps({ ...options, kernel, width: options.maxWidth ?? io.width, progress });
      io.stdout(output);
      setExit(exitCode);
    });

  shared(program.command('explain'))
    .description('show what a rule checks, its options and its documentation')
    .argument('<rule-id>')
    .action(async (id: string, options) => io.stdout(await runExplain(id, options)));

  program
    .command('new-plugin')
    .description('write a plugin package for an arch: plugin.yaml (derived from a kernel tree, or a frame to fill), an example rule with its test and page, and a test of its findings')
    .argument('<name>', 'the arch id, lower case (the package is kvm-rules-plugin-<name>)')
    .option('--kernel <dir>', 'derive plugin.yaml from this Linux source tree (with --arch-dir)')
    .option('--arch-dir <dir>', 'the arch\'s KVM directory in the tree, such as arch/loongarch/kvm (with --kernel)')
    .option('--out <dir>', 'the package folder, new or empty (default: ./kvm-rules-plugin-<name>)')
    .option('--profile <id>', 'the profile the plugin test checks under (default: the released profile of the tree\'s kernel, else the newest)')
    .action(async (name: string, options) => {
      const { output, notes } = await runNewPlugin(name, options);
      for (const note of notes) io.stderr(`kvm-rules: note: ${note}\n`);
      io.stdout(output);
    });

  program
    .command('completion')
    .description('print a completion script for bash, zsh or fish (commands, options, their values and rule ids)')
    .addArgument(new Argument('<shell>', 'the shell: bash, zsh or fish').choices(SHELLS))
    .action(async (shell: string) => io.stdout(await runCompletion(program, shell)));

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
    io.stderr(`kvm-rules: internal error: ${(error as Error).message}\n${debug ? `${(error as Error).stack}\n` : 'Run again with --debug for the stack trace.\n'}`);
    return ExitCode.badInput;
  }
}
