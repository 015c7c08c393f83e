// What `kvm-rules --help` and `kvm-rules <command> --help` list, read from the help text itself:
// the completion scripts and the man page are tested against it, so that neither can drift.
import { run } from './run.js';

async function helpText(...command: string[]): Promise<string> {
  const { code, stdout } = await run(...command, '--help');
  if (code !== 0) throw new Error(`${['kvm-rules', ...command].join(' ')} --help exited ${code}`);
  return stdout;
}

/** The lines of one section ("Options:", "Commands:"), continuation lines joined to their entry. */
function section(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`${title}:`);
  if (start < 0) return [];
  const entries: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    if (/^ {2}\S/.test(line)) entries.push(line.trim());
    else entries.push(`${entries.pop() ?? ''} ${line.trim()}`);
  }
  return entries;
}

/** The commands `kvm-rules --help` lists, `help` included. */
export async function helpCommands(): Promise<string[]> {
  return section(await helpText(), 'Commands').map((entry) => entry.split(' ')[0]!);
}

/** The flags of each option `kvm-rules [command] --help` lists, such as ['-o', '--output-file']. */
export async function helpOptions(...command: string[]): Promise<string[][]> {
  return section(await helpText(...command), 'Options').map((entry) => [...entry.matchAll(/(?:^|, )(--?[\w-]+)/g)].map((m) => m[1]!));
}

/** The choices `--help` lists for an option, such as --format's. */
export async function helpChoices(option: string, ...command: string[]): Promise<string[]> {
  const entry = section(await helpText(...command), 'Options').find((e) => e.startsWith(`${option} `) || e.includes(`, ${option} `));
  const choices = /\(choices: ([^)]*?)(?:, default: [^)]*)?\)/.exec(entry ?? '')?.[1];
  if (!choices) throw new Error(`${option} lists no choices`);
  return choices.split(', ').map((c) => JSON.parse(c) as string);
}
