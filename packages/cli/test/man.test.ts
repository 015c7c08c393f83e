// The man page, kvm-rules(1), built from src/man/kvm-rules.1.md by scripts/build-man.mjs: it
// must say every command and option --help lists (and --format's values, and the exit codes),
// so that a new option cannot ship undocumented; and man must render it without a warning.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { helpChoices, helpCommands, helpOptions } from './help.js';

const page = fileURLToPath(new URL('../dist/man/kvm-rules.1', import.meta.url));
let roff: string;
/** The page's text without roff's escapes and font changes. */
let text: string;

beforeAll(() => {
  if (!existsSync(page)) throw new Error(`${page} is not built: npm run build (scripts/build-man.mjs, with marked-man)`);
  roff = readFileSync(page, 'utf8');
  text = roff
    .replace(/\\f[BIRP]/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\\./g, '.')
    .replace(/^\.IP \\\(bu 2\n/gm, '• ')
    .replace(/^\.br\n/gm, '');
});

/** The text of one section (.SH) of the page. */
function section(title: string): string {
  const match = new RegExp(`^\\.SH "?${title}"?\\n([\\s\\S]*?)(?=^\\.SH |(?![\\s\\S]))`, 'm').exec(text);
  if (!match) throw new Error(`no section ${title}`);
  return match[1]!;
}

/** Whether the text says this flag as a word of its own (not as part of a longer flag). */
const says = (body: string, flag: string) => new RegExp(`(^|[^\\w-])${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'm').test(body);

describe('man page', () => {
  it('is kvm-rules(1), with the usual sections', () => {
    expect(text).toMatch(/^\.TH "KVM-RULES" "1" /m);
    for (const title of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'CHECK OPTIONS', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES', 'SEE ALSO']) {
      expect(() => section(title), title).not.toThrow();
    }
  });

  it('names every command --help lists, in SYNOPSIS and COMMANDS', async () => {
    const commands = await helpCommands();
    expect(commands).toContain('completion');
    for (const command of commands) {
      expect(says(section('SYNOPSIS'), `kvm-rules ${command}`) || says(section('SYNOPSIS'), command), `synopsis: ${command}`).toBe(true);
      expect(section('COMMANDS'), `commands: ${command}`).toMatch(new RegExp(`^• ${command}\\b`, 'm'));
    }
  });

  it('says every option of check --help in CHECK OPTIONS, and every --format value', async () => {
    const options = await helpOptions('check');
    expect(options.flat()).toContain('--changed-since');
    const body = section('CHECK OPTIONS');
    for (const flags of options) {
      if (flags.includes('--help')) continue;
      for (const flag of flags) expect(says(body, flag), flag).toBe(true);
    }
    const formats = await helpChoices('--format', 'check');
    const format = /^• --format <name>:\n([\s\S]*?)(?=^• )/m.exec(body)?.[1] ?? '';
    for (const name of formats) expect(says(format, name), `--format ${name}`).toBe(true);
  });

  it('says the options of deps, new-plugin, list and explain, and the global ones', async () => {
    const all = text.slice(text.indexOf('.SH DESCRIPTION'));
    for (const command of ['deps', 'new-plugin', 'list', 'explain', []].flat()) {
      for (const flag of (await helpOptions(command)).flat()) expect(says(all, flag), `${command} ${flag}`).toBe(true);
    }
    for (const flag of (await helpOptions()).flat()) expect(says(section('GLOBAL OPTIONS'), flag), flag).toBe(true);
  });

  it('lists the exit codes --help lists', () => {
    const body = section('EXIT STATUS');
    for (const code of [...Object.values(ExitCode), 130]) expect(body).toMatch(new RegExp(`^• ${code}:`, 'm'));
  });

  it('man renders it without a warning (man-db is a test dependency: without it this fails)', () => {
    expect(spawnSync('man', ['--version']).status, 'man is needed (Debian: apt-get install man-db)').toBe(0);
    const result = spawnSync('man', ['--warnings', '-l', page], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' } });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^KVM-RULES\(1\) +kvm-rules manual +KVM-RULES\(1\)$/m);
    expect(result.stdout).toContain('kvm-rules completion bash|zsh|fish');
  });
});
