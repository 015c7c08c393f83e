// The command line's words: every command with its arguments and options, defined once with
// commander's typed variant, so that what a command's action is given has a type inferred from
// its definition. cli.ts gives the commands their actions; the --cache path (cache.ts) reads a
// `check` line with the same definition before anything else loads, so that both agree on
// what `-o F`, `--arch=x` or `--cache-location` mean. Only commander and node here: light.
import { Argument, Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { EXIT_CODES_HELP } from './exit-codes.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];
export const CHECK_FORMATS = ['stylish', 'json', 'sarif', 'junit', 'github', 'mail', 'gcc', 'html'] as const;

const collect = (value: string, previous: string[]) => [...previous, value];

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

const maxWidth = () =>
  new Option('--max-width <n>', "fit lines to this many columns (default: the terminal's width, 80 when stdout is not a terminal; 0: no limit)").argParser(
    wholeNumber,
  );

const pluginOption = () =>
  new Option('--plugin <name-or-path>', 'a plugin package: a path (folder, or one manifest file) or an npm name, kvm-rules-plugin-<name> (repeatable)')
    .argParser(collect)
    .default([] as string[]);
const rulesDirOption = () => new Option('--rules-dir <dir>', 'a folder of extra rule files (repeatable)').argParser(collect).default([] as string[]);
const archOption = () => new Option('--arch <id>', 'only this arch (repeatable)').argParser(collect).default([] as string[]);

export function checkCommand() {
  return new Command('check')
    .description('compose each arch plugin with a profile and run the rules; inside a Linux tree, that tree is read')
    .argument('[dir]', 'a Linux source tree to read: the same as --kernel DIR (default: the tree the working directory is in, if any)')
    .addOption(pluginOption())
    .addOption(rulesDirOption())
    .option(
      '--profile <id|path>',
      "the generic ordering: a profile id, or a profile file (default: with --kernel, the tree's own kvm_init(); else the released profile of the plugins' newest kernel)",
    )
    .addOption(archOption())
    .addOption(
      new Option('--variant <[arch=]name>', 'use a plugin variant, e.g. tdx-v7 or x86-vmx=tdx-v7 (repeatable)').argParser(collect).default([] as string[]),
    )
    .option('--kernel <dir>', 'read this Linux source tree: derive each arch and the generic ordering from its C')
    .option(
      '--config <file>',
      'the configuration file (.mjs, .js, .json, .yaml); default: kvm-rules.config.{mjs,js,json,yaml} in the working directory, else kvm-rules.config.{json,yaml} in the --kernel tree (never its code)',
    )
    .option('--print-config', 'print the resolved configuration as JSON and check nothing')
    .option('--cache', 'keep the report and reuse it while nothing the run read has changed (not with --changed-since)')
    .option('--cache-location <path>', 'the cache file, or a folder for it (default: .kvm-rules-cache)')
    .option(
      '--changed-since <rev>',
      'with --kernel in a git repository: report only the findings the tree at this revision did not have (read from git objects)',
    )
    .option('--baseline <file>', 'do not report the findings this baseline file knows; list its entries that no longer match')
    .option('--write-baseline <file>', 'write every finding of this run to a baseline file (and report none)')
    .addOption(new Option('--rule <id:severity>', "set a rule's severity: error, warning or off (repeatable)").argParser(collect).default([] as string[]))
    .addOption(new Option('--format <name>', 'output format').choices(CHECK_FORMATS).default('stylish' as const))
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .addOption(new Option('--max-warnings <n>', 'exit 1 when there are more warnings than this (plugin-drift warnings are not counted)').argParser(wholeNumber))
    .option('--quiet', 'report errors only')
    .option('--no-color', 'never color the output')
    .addOption(maxWidth())
    .addHelpText('after', EXIT_CODES_HELP);
}

/** The options of `check` as commander parses them. */
export type CheckFlags = ReturnType<ReturnType<typeof checkCommand>['opts']>;

export const REVIEW_FORMATS = ['stylish', 'json', 'mail', 'sarif', 'gcc', 'html'] as const;

export function reviewCommand() {
  return new Command('review')
    .description(
      'check a patch series as a reviewer does: apply it to a scratch copy of the tree, patch by patch, and report what each patch introduces and fixes',
    )
    .argument('<series>', "an mbox (b4 am, git format-patch --stdout), a patch file, a folder of patch files, or REV..REV in the tree's git repository")
    .option('--kernel <dir>', "the Linux tree at the series' base (default: the tree the working directory is in); it is copied, never written")
    .addOption(pluginOption())
    .addOption(rulesDirOption())
    .addOption(archOption())
    .addOption(new Option('--rule <id:severity>', "set a rule's severity: error, warning or off (repeatable)").argParser(collect).default([] as string[]))
    .addOption(new Option('--format <name>', 'output format').choices(REVIEW_FORMATS).default('stylish' as const))
    .option('-o, --output-file <file>', 'write the report to a file instead of stdout')
    .addOption(maxWidth())
    .addHelpText('after', EXIT_CODES_HELP);
}

export const TIMELINE_FORMATS = ['text', 'svg', 'dot', 'mermaid'] as const;

export function timelineCommand() {
  return new Command('timeline')
    .description(
      "draw an arch's module init under a profile: its phases, kvm_init()'s steps where it is called, each hook call and lifecycle event, what a finding rests on marked",
    )
    .requiredOption('--arch <id>', 'the arch')
    .option('--kernel <dir>', 'read the arch and the generic ordering from this Linux tree')
    .option('--profile <id|path>', 'the generic ordering (default: as for check)')
    .addOption(new Option('--variant <[arch=]name>', 'use a plugin variant (repeatable)').argParser(collect).default([] as string[]))
    .addOption(pluginOption())
    .addOption(rulesDirOption())
    .addOption(
      new Option('--format <name>', 'output format: text (an indented list), svg (laid out by Graphviz), dot or mermaid')
        .choices(TIMELINE_FORMATS)
        .default('text' as const),
    )
    .addHelpText('after', EXIT_CODES_HELP);
}

export function listCommand() {
  return new Command('list')
    .description('list profiles, plugins and rules')
    .argument('[what...]', 'profiles, plugins or rules (default: all)')
    .addOption(pluginOption())
    .addOption(rulesDirOption());
}

export function depsCommand() {
  return new Command('deps')
    .description('print, per arch, the state each hook reads (with the call chain) and each module-init statement writes, as read from a kernel tree')
    .argument('[dir]', 'the Linux source tree to read: the same as --kernel DIR (default: the tree the working directory is in)')
    .option('--kernel <dir>', 'the Linux source tree to read')
    .addOption(pluginOption())
    .addOption(archOption())
    .option('--all', 'every file-scope state a hook reads, not only what module init writes')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json'] as const).default('text' as const))
    .addOption(maxWidth())
    .addHelpText('after', EXIT_CODES_HELP);
}

export function explainCommand() {
  return new Command('explain')
    .description('show what a rule checks, its options and its documentation')
    .argument('<rule-id>')
    .addOption(pluginOption())
    .addOption(rulesDirOption());
}

export function newPluginCommand() {
  return new Command('new-plugin')
    .description(
      'write a plugin package for an arch: plugin.yaml (derived from a kernel tree, or a frame to fill), an example rule with its test and page, and a test of its findings',
    )
    .argument('<name>', 'the arch id, lower case (the package is kvm-rules-plugin-<name>)')
    .option('--kernel <dir>', 'derive plugin.yaml from this Linux source tree (with --arch-dir)')
    .option('--arch-dir <dir>', "the arch's KVM directory in the tree, such as arch/loongarch/kvm (with --kernel)")
    .option('--out <dir>', 'the package folder, new or empty (default: ./kvm-rules-plugin-<name>)')
    .option('--profile <id>', "the profile the plugin test checks under (default: the released profile of the tree's kernel, else the newest)");
}

export function completionCommand() {
  return new Command('completion')
    .description('print a completion script for bash, zsh or fish (commands, options, their values and rule ids)')
    .addArgument(new Argument('<shell>', 'the shell: bash, zsh or fish').choices(SHELLS));
}

/** A `check` command line as commander reads it: the tree given as DIR, and the typed options. */
export interface CheckLine {
  dir: string | undefined;
  flags: CheckFlags;
}

/** What commander would print while readCheckLine() reads a line: nothing is said, the run itself says it. */
function unsaid(_text: string): void {
  // Printing nothing.
}

/**
 * Reads `kvm-rules [--debug] check …` with check's own definition, printing nothing; undefined
 * for any other command or a line commander refuses (the run itself then says what is wrong).
 */
export function readCheckLine(argv: readonly string[]): CheckLine | undefined {
  const words = argv[0] === '--debug' ? argv.slice(1) : [...argv];
  if (words[0] !== 'check') return undefined;
  let line: CheckLine | undefined;
  const command = checkCommand()
    .exitOverride()
    .configureOutput({ writeOut: unsaid, writeErr: unsaid })
    .action((dir, flags) => {
      line = { dir, flags };
    });
  try {
    command.parse(words.slice(1), { from: 'user' });
  } catch {
    return undefined;
  }
  return line;
}
