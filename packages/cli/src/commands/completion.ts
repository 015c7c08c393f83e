// `kvm-rules completion bash|zsh|fish`: a completion script generated from the commander
// program itself, so that it offers exactly the commands and options `--help` lists. The values
// it offers are those of this installation: --format's choices, the built-in plugins' arch ids,
// the profile and rule ids, directories for <dir>, files for <file> and <path>, git refs for
// <rev>. Each script is self-contained: bash needs no bash-completion package.
import { InputError } from '@kvm-rules/core';
import type { CommandUnknownOpts as Command, Option } from '@commander-js/extra-typings';
import { loadProject } from '../project.js';
import { LIST_WHAT } from './list.js';
import { SHELLS, type Shell } from '../command-line.js';

/** What a value (of an option or an argument) completes to. */
export interface Values {
  words: string[];
  /** Paths as well as the words: any file, or directories only. */
  paths?: 'files' | 'dirs';
  /** The git refs of the repository in the working directory. */
  revs?: boolean;
}

export interface OptionSpec {
  short?: string;
  long?: string;
  description: string;
  /** The value it takes, if any. */
  values?: Values;
  /** Whether it can be given more than once (it collects into a list). */
  repeatable: boolean;
}

export interface ArgumentSpec {
  name: string;
  values: Values;
  variadic: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
}

export interface ProgramSpec {
  name: string;
  options: OptionSpec[];
  commands: CommandSpec[];
}

/** The ids this installation knows, offered where an option or argument names one. */
export interface KnownIds {
  archs: string[];
  profiles: string[];
  rules: string[];
  /** --variant's values: each variant name, and arch=name for each arch that has it. */
  variants: string[];
}

const SEVERITIES = ['error', 'warning', 'off'];
// Only words that need no quoting in any of the three shells are offered.
const PLAIN_WORD = /^[\w.@/+-][\w.:=@/+-]*$/;

export async function runCompletion(program: Command, shell: string): Promise<string> {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new InputError(`completion: unknown shell "${shell}" (${SHELLS.join(', ')})`);
  const project = await loadProject({});
  const ids: KnownIds = {
    archs: project.archIds,
    profiles: project.profiles.map((p) => p.id).sort(),
    rules: project.rules.map((r) => r.id).sort(),
    variants: [...new Set(project.plugins.flatMap((p) => p.variants)), ...project.plugins.flatMap((p) => p.variants.map((variant) => `${p.id}=${variant}`))],
  };
  return completionScript(describeProgram(program, ids), shell as Shell);
}

export function completionScript(spec: ProgramSpec, shell: Shell): string {
  switch (shell) {
    case 'bash':
      return bashScript(spec);
    case 'zsh':
      return zshScript(spec);
    case 'fish':
      return fishScript(spec);
  }
}

/** The commands, options and arguments of the program as its --help shows them. */
export function describeProgram(program: Command, ids: KnownIds): ProgramSpec {
  const help = program.createHelp();
  const commands = help.visibleCommands(program);
  const names = commands.map((c) => c.name());
  return {
    name: program.name(),
    options: help.visibleOptions(program).map((o) => optionSpec(o, ids)),
    commands: commands.map((command) => ({
      name: command.name(),
      description: command.summary() || command.description(),
      options: help.visibleOptions(command).map((o) => optionSpec(o, ids)),
      arguments: command.registeredArguments.map((argument) => ({
        name: argument.name(),
        variadic: argument.variadic,
        values: argumentValues(command.name(), argument.name(), argument.argChoices, names, ids),
      })),
    })),
  };
}

function optionSpec(option: Option, ids: KnownIds): OptionSpec {
  const takesValue = option.required || option.optional;
  return {
    ...(option.short ? { short: option.short } : {}),
    ...(option.long ? { long: option.long } : {}),
    description: option.description,
    ...(takesValue ? { values: optionValues(option, ids) } : {}),
    repeatable: Array.isArray(option.defaultValue) || option.variadic,
  };
}

function optionValues(option: Option, ids: KnownIds): Values {
  if (option.argChoices) return { words: option.argChoices };
  const placeholder = /[<[](.*)[>\]]/.exec(option.flags)?.[1] ?? '';
  switch (option.long) {
    case '--arch':
      return { words: ids.archs };
    case '--profile':
      return { words: ids.profiles, ...(placeholder.includes('path') ? { paths: 'files' as const } : {}) };
    case '--variant':
      return { words: ids.variants };
    case '--rule':
      return { words: ids.rules.flatMap((id) => SEVERITIES.map((severity) => `${id}:${severity}`)) };
  }
  if (placeholder === 'dir') return { words: [], paths: 'dirs' };
  if (/file|path/.test(placeholder)) return { words: [], paths: 'files' };
  if (placeholder === 'rev') return { words: [], revs: true };
  return { words: [] };
}

function argumentValues(command: string, argument: string, choices: string[] | undefined, commands: string[], ids: KnownIds): Values {
  if (choices) return { words: choices };
  if (command === 'help') return { words: commands.filter((c) => c !== 'help') };
  if (command === 'list' && argument === 'what') return { words: [...LIST_WHAT] };
  if (argument === 'rule-id') return { words: ids.rules };
  if (argument === 'dir') return { words: [], paths: 'dirs' };
  return { words: [] };
}

const plain = (words: string[]) => words.filter((w) => PLAIN_WORD.test(w));
const flagsOf = (option: OptionSpec) => [option.short, option.long].filter((f): f is string => f !== undefined);

// bash ----------------------------------------------------------------------------------------

function bashScript(spec: ProgramSpec): string {
  const fn = `_${spec.name.replace(/\W/g, '_')}`;
  const valued = (options: OptionSpec[]) => options.filter((o) => o.values).flatMap(flagsOf);
  const valueArms = (options: OptionSpec[], indent: string) =>
    options.flatMap(({ values, ...o }) => (values ? [`${indent}${flagsOf(o).join('|')}) ${bashValues(values)}; return 0 ;;`] : []));
  const commandArms = spec.commands.map((command) => {
    const lines = [`    ${command.name})`];
    const arms = valueArms(command.options, '        ');
    if (arms.length > 0) lines.push('      case $prev in', ...arms, '      esac');
    const flags = command.options.flatMap(flagsOf);
    if (flags.length > 0) lines.push(`      if [[ $cur == -* ]]; then ${bashWords(flags)}; return 0; fi`);
    if (command.arguments.length > 0) {
      const skip = valued(command.options);
      lines.push(
        '      # which positional argument is being completed',
        '      local n=0 skip=""',
        '      for ((i = at + 1; i < cword; i++)); do',
        '        if [[ -n $skip ]]; then skip=""; continue; fi',
        '        case ${words[i]} in',
        ...(skip.length > 0 ? [`          ${skip.join('|')}) skip=1 ;;`] : []),
        '          -*) ;;',
        '          *) n=$((n + 1)) ;;',
        '        esac',
        '      done',
        '      case $n in',
        ...command.arguments.map((argument, i) => `        ${argument.variadic ? `${i}|*` : i}) ${bashValues(argument.values)} ;;`),
        '      esac',
      );
    }
    lines.push('      ;;');
    return lines.join('\n');
  });
  const programValued = valued(spec.options);
  return `# ${spec.name} completion for bash. Load it in the current shell with
#   source <(${spec.name} completion bash)
# or keep it where bash-completion finds it:
#   ${spec.name} completion bash > ~/.local/share/bash-completion/completions/${spec.name}
${fn}() {
  local -a words=()
  local i w cur prev cmd="" at=0 cword
  # bash splits "--format=json" at "=" and "--rule id:error" at ":" (COMP_WORDBREAKS): join them again.
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((i > 1)) && [[ $w == [=:] || \${COMP_WORDS[i-1]} == [=:] ]]; then
      words[\${#words[@]}-1]+=$w
    else
      words+=("$w")
    fi
  done
  cword=$((\${#words[@]} - 1))
  cur=\${words[cword]}
  prev=""
  ((cword > 0)) && prev=\${words[cword-1]}
  if [[ $cur == --*=* ]]; then
    prev=\${cur%%=*}
    cur=\${cur#*=}
  fi
  COMPREPLY=()
  ${fn}_reply
  # What bash replaces is only the part of the word after its last "=" or ":" (when they break words).
  local breaks=\${COMP_WORDBREAKS//[^=:]/}
  if [[ -n $breaks && $cur == *[$breaks]* ]]; then
    local head=\${cur%"\${cur##*[$breaks]}"}
    COMPREPLY=("\${COMPREPLY[@]#"$head"}")
  fi
  return 0
}
# The candidates for $cur, from the words before it (the variables of ${fn}).
${fn}_reply() {
  local i
  for ((i = 1; i < cword; i++)); do
    case \${words[i]} in
${programValued.length > 0 ? `      ${programValued.join('|')}) i=$((i + 1)) ;;\n` : ''}      -*) ;;
      *) cmd=\${words[i]}; at=$i; break ;;
    esac
  done
  case $cmd in
    "")
${valueArms(spec.options, '      ').length > 0 ? `      case $prev in\n${valueArms(spec.options, '        ').join('\n')}\n      esac\n` : ''}      if [[ $cur == -* ]]; then ${bashWords(spec.options.flatMap(flagsOf))}; else ${bashWords(spec.commands.map((c) => c.name))}; fi
      ;;
${commandArms.join('\n')}
  esac
}
${fn}_paths() {
  compopt -o filenames 2>/dev/null
  local line
  while IFS= read -r line; do COMPREPLY+=("$line"); done < <(compgen "$1" -- "$cur")
}
complete -F ${fn} ${spec.name}
`.replaceAll('__FN__', fn);
}

function bashWords(words: string[]): string {
  return `COMPREPLY+=($(compgen -W '${plain(words).join(' ')}' -- "$cur"))`;
}

function bashValues(values: Values): string {
  const parts: string[] = [];
  if (values.words.length > 0) parts.push(bashWords(values.words));
  if (values.paths) parts.push(`__FN___paths ${values.paths === 'dirs' ? '-d' : '-f'}`);
  if (values.revs) parts.push(`COMPREPLY+=($(compgen -W "$(git for-each-ref --format='%(refname:short)' 2>/dev/null)" -- "$cur"))`);
  return parts.length > 0 ? parts.join('; ') : ':';
}

// zsh -----------------------------------------------------------------------------------------

function zshScript(spec: ProgramSpec): string {
  const fn = `_${spec.name}`;
  // Ids and paths both: a function of their own, as an _arguments action cannot hold _alternative's specs.
  const helpers: string[] = [];
  const zshAction = (values: Values): string => {
    const words = plain(values.words).map((w) => w.replaceAll(':', '\\:'));
    if (values.paths && words.length > 0) {
      const name = `${fn}_values_${helpers.length + 1}`;
      const files = `_files${values.paths === 'dirs' ? ' -/' : ''}`;
      helpers.push(`${name}() {\n  _alternative ${zshQuote(`ids:id:(${words.join(' ')})`)} ${zshQuote(`paths:path:${files}`)}\n}`);
      return name;
    }
    if (values.paths) return values.paths === 'dirs' ? '_files -/' : '_files';
    if (values.revs) return `${fn}_revs`;
    if (words.length > 0) return `(${words.join(' ')})`;
    return ' ';
  };
  const commands = spec.commands.map((c) => `      ${zshQuote(`${c.name}:${oneLine(c.description)}`)}`);
  const arms = spec.commands.map((command) => {
    const specs = [
      ...command.options.flatMap((o) => zshOption(o, zshAction)),
      ...command.arguments.map((a, i) => zshQuote(`${a.variadic ? '*' : `${i + 1}`}:${a.name}:${zshAction(a.values)}`)),
    ];
    return `      ${command.name})\n        _arguments -s -S \\\n${specs.map((s) => `          ${s}`).join(' \\\n')} && ret=0\n        ;;`;
  });
  return `#compdef ${spec.name}
# ${spec.name} completion for zsh. Load it in the current shell (after compinit) with
#   source <(${spec.name} completion zsh)
# or keep it as _${spec.name} in a folder of $fpath, before compinit runs:
#   ${spec.name} completion zsh > ~/.zsh/completions/_${spec.name}
${fn}() {
  local curcontext=$curcontext state state_descr line ret=1
  typeset -A opt_args
  _arguments -C \\
${spec.options
  .flatMap((o) => zshOption(o, zshAction))
  .map((s) => `    ${s} \\`)
  .join('\n')}
    '1:command:->command' \\
    '*::argument:->argument' && ret=0
  case $state in
    command)
      local -a commands
      commands=(
${commands.join('\n')}
      )
      _describe -t commands '${spec.name} command' commands && ret=0
      ;;
    argument)
      curcontext=\${curcontext%:*:*}:${spec.name}-$line[1]:
      case $line[1] in
${arms.join('\n')}
      esac
      ;;
  esac
  return ret
}

${helpers.join('\n\n')}${helpers.length > 0 ? '\n\n' : ''}${fn}_revs() {
  local -a revs
  revs=(\${(f)"$(git for-each-ref --format='%(refname:short)' 2>/dev/null)"})
  _describe -t revs 'git ref' revs
}

if [[ \${funcstack[1]} == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${spec.name}
fi
`;
}

function zshOption(option: OptionSpec, zshAction: (values: Values) => string): string[] {
  const flags = flagsOf(option);
  const description = `[${zshEscape(oneLine(option.description))}]`;
  const value = option.values ? `:${option.long ? option.long.slice(2) : 'value'}:${zshAction(option.values)}` : '';
  const repeat = option.repeatable ? '*' : '';
  const exclusive = flags.length > 1 && !option.repeatable ? `(${flags.join(' ')})` : '';
  // "--kernel=" takes its value in the same word after "=" or as the next word; "-o+" likewise for a short flag.
  const suffix = (flag: string) => (option.values ? (flag.startsWith('--') ? '=' : '+') : '');
  if (flags.length === 1) return [zshQuote(`${repeat}${flags[0]}${suffix(flags[0]!)}${description}${value}`)];
  return [`${zshQuote(`${exclusive}${repeat}`)}{${flags.map((f) => `${f}${suffix(f)}`).join(',')}}${zshQuote(`${description}${value}`)}`];
}

function zshEscape(text: string): string {
  return text.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

function zshQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

// fish ----------------------------------------------------------------------------------------

function fishScript(spec: ProgramSpec): string {
  const c = `complete -c ${spec.name}`;
  const lines = [
    `# ${spec.name} completion for fish. Load it in the current shell with`,
    `#   ${spec.name} completion fish | source`,
    '# or keep it where fish finds it:',
    `#   ${spec.name} completion fish > ~/.config/fish/completions/${spec.name}.fish`,
    `${c} -e`,
    `${c} -f`,
    ...spec.options.map((o) => `${c} -n __fish_use_subcommand ${fishOption(o)}`),
    ...spec.commands.map((command) => `${c} -n __fish_use_subcommand -a ${command.name} -d ${fishQuote(oneLine(command.description))}`),
  ];
  for (const command of spec.commands) {
    const when = `-n ${fishQuote(`__fish_seen_subcommand_from ${command.name}`)}`;
    lines.push(...command.options.map((o) => `${c} ${when} ${fishOption(o)}`));
    for (const argument of command.arguments) {
      const values = fishValues(argument.values);
      if (values) lines.push(`${c} ${when} ${values}`);
    }
  }
  return lines.join('\n') + '\n';
}

function fishOption(option: OptionSpec): string {
  const parts: string[] = [];
  if (option.short) parts.push(`-s ${option.short.slice(1)}`);
  if (option.long) parts.push(`-l ${option.long.slice(2)}`);
  if (option.values) parts.push(fishValues(option.values) || '-x');
  parts.push(`-d ${fishQuote(oneLine(option.description))}`);
  return parts.join(' ');
}

function fishValues(values: Values): string {
  const words = plain(values.words);
  if (values.paths === 'files') return words.length > 0 ? `-r -F -a ${fishQuote(words.join(' '))}` : '-r -F';
  if (values.paths === 'dirs') return `-x -a ${fishQuote('(__fish_complete_directories (commandline -ct))')}`;
  if (values.revs) return `-x -a ${fishQuote('(git for-each-ref --format="%(refname:short)" 2>/dev/null)')}`;
  if (words.length > 0) return `-x -a ${fishQuote(words.join(' '))}`;
  return '';
}

function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
