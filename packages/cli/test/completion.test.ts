// kvm-rules completion bash|zsh|fish: each script is loaded into the real shell, spawned here,
// and asked for completions as the shell would ask when TAB is pressed. What they offer is
// compared with what `--help` lists, so that a new command, option or format is completed too.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { completionScript, describeProgram } from '../src/commands/completion.js';
import { helpChoices, helpCommands, helpOptions } from './help.js';
import { run } from './run.js';

// The shells are test dependencies (Debian: bash, zsh, fish; .ci/run installs them): a missing
// one fails its tests loudly, it never skips them.
function needShell(shell: string) {
  if (spawnSync(shell, ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new Error(`${shell} is needed for these tests (Debian: apt-get install ${shell})`);
}
const sorted = (words: string[]) => [...new Set(words)].sort();

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvm-rules-completion-'));
  // A folder to complete paths in: one sub-folder, one file.
  mkdirSync(join(dir, 'tree/linux-6.12'), { recursive: true });
  writeFileSync(join(dir, 'tree/kvm-rules.config.yaml'), '');
  for (const shell of ['bash', 'zsh', 'fish']) {
    const { code, stdout, stderr } = await run('completion', shell);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    scripts[shell] = join(dir, `kvm-rules.${shell}`);
    writeFileSync(scripts[shell], stdout);
  }
});

/** The completion script written for `shell` before all tests. */
function scriptOf(shell: string): string {
  const script = scripts[shell];
  assert(script, `no ${shell} completion script`);
  return script;
}

describe('completion', () => {
  it('an unknown shell is bad input, with the shells', async () => {
    const { code, stderr } = await run('completion', 'tcsh');
    expect(code).toBe(2);
    expect(stderr).toContain('Allowed choices are bash, zsh, fish');
  });

  it('offers every rule id `list rules` shows after explain', async () => {
    const rules = [...(await run('list', 'rules')).stdout.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!);
    expect(rules).toContain('kvm-init-last');
    expect(sorted(bashComplete('kvm-rules', 'explain', ''))).toEqual(sorted(rules));
  });
});

/** The completions bash's function sets in COMPREPLY for these words, the last being completed. */
function bashComplete(...words: string[]): string[] {
  return bashCompleteWith(scriptOf('bash'), ...words);
}

function bashCompleteWith(script: string, ...words: string[]): string[] {
  const result = spawnSync(
    'bash',
    [
      '--norc',
      '--noprofile',
      '-c',
      'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _kvm_rules; printf "%s\\n" "${COMPREPLY[@]}"',
      'bash',
      script,
      ...words,
    ],
    { cwd: join(dir, 'tree'), encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('completion bash', () => {
  it('is generated from the program: a [dir] argument completes directories, a new option is offered', () => {
    const program = new Command('kvm-rules');
    program.command('check').argument('[dir]').option('--frob <file>', 'a frob file').option('--quick', 'quickly');
    const script = join(dir, 'generated.bash');
    writeFileSync(script, completionScript(describeProgram(program, { archs: [], profiles: [], rules: [], variants: [] }), 'bash'));
    expect(bashCompleteWith(script, 'kvm-rules', '')).toEqual(['check', 'help']);
    expect(sorted(bashCompleteWith(script, 'kvm-rules', 'check', '--'))).toEqual(['--frob', '--help', '--quick']);
    expect(bashCompleteWith(script, 'kvm-rules', 'check', '')).toEqual(['linux-6.12']);
    expect(sorted(bashCompleteWith(script, 'kvm-rules', 'check', '--frob', ''))).toEqual(['kvm-rules.config.yaml', 'linux-6.12']);
  });

  it('registers its function for kvm-rules, and passes bash -n', () => {
    expect(spawnSync('bash', ['-n', scriptOf('bash')]).status).toBe(0);
    const result = spawnSync('bash', ['--norc', '--noprofile', '-c', 'source "$1"; complete -p kvm-rules', 'bash', scriptOf('bash')], { encoding: 'utf8' });
    expect(result.stdout.trim()).toBe('complete -F _kvm_rules kvm-rules');
  });

  it('completes the subcommands --help lists', async () => {
    expect(bashComplete('kvm-rules', '')).toEqual(await helpCommands());
    expect(bashComplete('kvm-rules', 'ch')).toEqual(['check']);
    expect(bashComplete('kvm-rules', 'n')).toEqual(['new-plugin']);
    expect(bashComplete('kvm-rules', '--debug', 'de')).toEqual(['deps']);
    expect(bashComplete('kvm-rules', 'help', 'ex')).toEqual(['explain']);
  });

  it('completes the options of each command as its --help lists them', async () => {
    expect(sorted(bashComplete('kvm-rules', '-'))).toEqual(sorted((await helpOptions()).flat()));
    for (const command of await helpCommands()) {
      if (command === 'help') continue;
      expect(sorted(bashComplete('kvm-rules', command, '-')), command).toEqual(sorted((await helpOptions(command)).flat()));
    }
    expect(bashComplete('kvm-rules', 'check', '--fo')).toEqual(['--format']);
  });

  it('completes --format values, as the next word and after "="', async () => {
    const formats = await helpChoices('--format', 'check');
    expect(formats).toContain('sarif');
    expect(bashComplete('kvm-rules', 'check', '--format', '')).toEqual(formats);
    expect(bashComplete('kvm-rules', 'check', '--format', 'j')).toEqual(formats.filter((f) => f.startsWith('j')));
    // bash splits "--format=j" into "--format", "=" and "j".
    expect(bashComplete('kvm-rules', 'check', '--format', '=', 'j')).toEqual(formats.filter((f) => f.startsWith('j')));
    expect(bashComplete('kvm-rules', 'check', '--quiet', '--format', '=')).toEqual(formats);
  });

  it('completes arch, profile and rule ids', () => {
    expect(bashComplete('kvm-rules', 'check', '--arch', 'x86')).toEqual(['x86-vmx', 'x86-svm']);
    expect(bashComplete('kvm-rules', 'deps', '--arch', 'ri')).toEqual(['riscv']);
    expect(bashComplete('kvm-rules', 'check', '--profile', 'v6')).toEqual(['v6.12']);
    expect(bashComplete('kvm-rules', 'explain', 'kvm-init')).toEqual(['kvm-init-last']);
    expect(bashComplete('kvm-rules', 'explain', '--rules-dir', 'x', 'unw')).toEqual(['unwind-on-failure']);
    // One rule id: nothing after it.
    expect(bashComplete('kvm-rules', 'explain', 'kvm-init-last', '')).toEqual([]);
    // --rule id:severity; bash splits at ":" and replaces only what follows it.
    expect(bashComplete('kvm-rules', 'check', '--rule', 'unwind')).toEqual(['unwind-on-failure:error', 'unwind-on-failure:warning', 'unwind-on-failure:off']);
    expect(bashComplete('kvm-rules', 'check', '--rule', 'kvm-init-last', ':')).toEqual(['error', 'warning', 'off']);
    expect(bashComplete('kvm-rules', 'check', '--rule', 'kvm-init-last', ':', 'w')).toEqual(['warning']);
    // --variant name or arch=name; bash splits at "=".
    expect(bashComplete('kvm-rules', 'check', '--variant', 'td')).toEqual(['tdx-v7']);
    expect(bashComplete('kvm-rules', 'check', '--variant', 'mi')).toEqual(['mips=tdx-v7']);
    expect(bashComplete('kvm-rules', 'check', '--variant', 'x86-vmx', '=', '')).toEqual(['tdx-v7']);
  });

  it('completes directories for <dir>, files for <file>, list and completion arguments', () => {
    expect(bashComplete('kvm-rules', 'check', '--kernel', '')).toEqual(['linux-6.12']);
    expect(sorted(bashComplete('kvm-rules', 'check', '--config', ''))).toEqual(['kvm-rules.config.yaml', 'linux-6.12']);
    expect(bashComplete('kvm-rules', 'list', 'rules', 'p')).toEqual(['profiles', 'plugins']);
    expect(bashComplete('kvm-rules', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(bashComplete('kvm-rules', 'completion', 'bash', '')).toEqual([]);
  });
});

// zsh: an interactive zsh on a pseudo-terminal (zsh/zpty) reads this .zshrc (compinit, then the
// script), the line is typed at its prompt with a TAB, and a compadd wrapper prints the matches.
const ZSHRC = String.raw`
autoload -U compinit && compinit -u -D
source "$KVM_RULES_SCRIPT"
bindkey '^I' complete-word
bindkey '^M' undefined-key
bindkey '^J' undefined-key
zstyle ':completion:*' insert-tab false
compprefuncs=(_begin)
comppostfuncs=(_end)
_begin() { print -r -- '<<<BEGIN>>>' }
_end() { print -r -- '<<<END>>>'; exit }
compadd() {
  if [[ ${'$'}{@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __hits
  builtin compadd -A __hits "$@"
  local h; for h in $__hits; do print -r -- "match:$h"; done
  # Added for real too, so that a function trying tags in turn stops as it would.
  builtin compadd "$@"
}
PROMPT='<<<READY>>> '
`;
const ZSH_CAPTURE = String.raw`
zmodload zsh/zpty zsh/datetime || exit 3
zpty z zsh -d -i
local line= chunk
float deadline=$(( EPOCHREALTIME + 30 ))
# The prompt ends no line (escape sequences may follow it): read what comes until it has been seen.
while [[ $line != *'<<<READY>>>'* ]] && (( EPOCHREALTIME < deadline )); do
  if zpty -r -t z chunk 2>/dev/null; then line+=$chunk; else sleep 0.02; fi
done
zpty -w -n z "$1"$'\t'
integer started=0
while (( EPOCHREALTIME < deadline )); do
  if ! zpty -r -t z line 2>/dev/null; then sleep 0.02; continue; fi
  if [[ $line == *'<<<END>>>'* ]]; then (( started )) && break; fi
  if [[ $line == *'<<<BEGIN>>>'* ]]; then started=1; continue; fi
  (( started )) && print -rn -- $line
done
zpty -d z
`;

/** What zsh's completion adds at the end of this command line. */
function zshComplete(line: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('zsh', ['-f', join(dir, 'capture.zsh'), line], {
      cwd: join(dir, 'tree'),
      env: { ...process.env, KVM_RULES_SCRIPT: scriptOf('zsh'), ZDOTDIR: dir, HOME: dir },
    });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.on('error', reject);
    child.on('close', () => {
      resolve(sorted(out.split(/\r?\n/).flatMap((l) => (l.startsWith('match:') ? [l.slice(6)] : []))));
    });
  });
}

describe('completion zsh', () => {
  beforeAll(() => {
    needShell('zsh');
  });
  // Written once: a zsh starting while another test rewrites its .zshrc would read it empty.
  beforeAll(() => {
    writeFileSync(join(dir, '.zshrc'), ZSHRC);
    writeFileSync(join(dir, 'capture.zsh'), ZSH_CAPTURE);
  });

  it('passes zsh -n, and registers _kvm-rules for kvm-rules after compinit', () => {
    expect(spawnSync('zsh', ['-n', scriptOf('zsh')]).status).toBe(0);
    const result = spawnSync(
      'zsh',
      ['-f', '-c', 'autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[kvm-rules]', 'zsh', scriptOf('zsh')],
      {
        encoding: 'utf8',
        env: { ...process.env, HOME: dir },
      },
    );
    expect(result.stdout.trim()).toBe('_kvm-rules');
  });

  it('completes subcommands, --format values, arch and rule ids, directories', async () => {
    const formats = await helpChoices('--format', 'check');
    const lines = [
      'kvm-rules ',
      'kvm-rules ch',
      'kvm-rules check --format ',
      'kvm-rules check --format=j',
      'kvm-rules check --arch x86',
      'kvm-rules explain kvm-',
      'kvm-rules check --ker',
      'kvm-rules check --kernel ',
    ];
    // One zsh each, side by side: each takes a second or two.
    const got = await Promise.all(lines.map(zshComplete));
    expect(Object.fromEntries(lines.map((line, i) => [line, got[i]]))).toEqual({
      'kvm-rules ': sorted(await helpCommands()),
      'kvm-rules ch': ['check'],
      'kvm-rules check --format ': sorted(formats),
      'kvm-rules check --format=j': sorted(formats.filter((f) => f.startsWith('j'))),
      'kvm-rules check --arch x86': ['x86-svm', 'x86-vmx'],
      'kvm-rules explain kvm-': ['kvm-init-last'],
      'kvm-rules check --ker': ['--kernel'],
      'kvm-rules check --kernel ': ['linux-6.12'],
    });
  }, 90_000);
});

/** What fish offers at the end of this command line (complete -C), without descriptions. */
function fishComplete(line: string): string[] {
  const result = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', scriptOf('fish'), line], {
    cwd: join(dir, 'tree'),
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return sorted(
    result.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!),
  );
}

describe('completion fish', () => {
  beforeAll(() => {
    needShell('fish');
  });
  it('passes fish --no-execute', () => {
    const result = spawnSync('fish', ['--no-execute', scriptOf('fish')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('completes subcommands, options, --format values, arch and rule ids, directories', async () => {
    expect(fishComplete('kvm-rules ')).toEqual(sorted(await helpCommands()));
    expect(fishComplete('kvm-rules ch')).toEqual(['check']);
    expect(fishComplete('kvm-rules check --fo')).toEqual(['--format']);
    const formats = await helpChoices('--format', 'check');
    expect(fishComplete('kvm-rules check --format ')).toEqual(sorted(formats));
    expect(fishComplete('kvm-rules check --format=j')).toEqual(sorted(formats.filter((f) => f.startsWith('j')).map((f) => `--format=${f}`)));
    expect(fishComplete('kvm-rules deps --arch x86')).toEqual(['x86-svm', 'x86-vmx']);
    expect(fishComplete('kvm-rules explain unw')).toEqual(['unwind-on-failure']);
    expect(fishComplete('kvm-rules check --rule kvm-init-last:')).toEqual(['kvm-init-last:error', 'kvm-init-last:off', 'kvm-init-last:warning']);
    expect(fishComplete('kvm-rules check --kernel ')).toEqual(['linux-6.12/']);
  });
});
