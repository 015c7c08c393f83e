// The program behind bin/kvm-rules.js. A --cache hit prints the kept report before anything
// else is loaded; otherwise the command line runs. cached() never throws: a cache file that is
// broken, not a regular file or too large is no cache, and the command line runs.
import { setFlagsFromString } from 'node:v8';
import { cached } from './cache.js';
import { ExitCode } from './exit-codes.js';

/**
 * Makes V8 hand a function to its optimizing compiler later than it would. By default it does
 * so soon, a long-running server's trade. A check is short: most of its code runs a few times,
 * and the optimizing compiles, on a second core the run itself wants, outlast what they save.
 * Later, only what stays hot is optimized. Measured with check --kernel on 6.12, paired runs:
 * on Node 20, 21% less CPU time and 9% less wall time; on Node 22 and 24, 5% to 20% less CPU
 * time and 3% less wall time. V8 12 (Node 22) counts calls where V8 11 counted a budget of
 * bytecode, and an unknown flag prints an error, so the flag this V8 has is set.
 */
function tierUpLater(): void {
  const v8Major = Number(process.versions.v8.split('.')[0]);
  setFlagsFromString(v8Major < 12 ? '--interrupt-budget=300000' : '--invocation-count-for-turbofan=30000');
}

tierUpLater();

/**
 * Whether stdout may be colored (--no-color, in cli.ts, turns it off whatever this says):
 * NO_COLOR, not empty, never; FORCE_COLOR, not empty, always, but "0" and "false" never (as Node
 * reads it); else when stdout is a terminal and TERM is not "dumb". Unlike picocolors' own guess,
 * a CI variable does not color a pipe: FORCE_COLOR does that.
 */
function colorWanted(env: NodeJS.ProcessEnv, stdout: NodeJS.WriteStream): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  return isTerminal(stdout) && env.TERM !== 'dumb';
}

/** Whether a stream is a terminal: Node sets isTTY on a terminal's stream only, a pipe's has none (its type says boolean). */
function isTerminal(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true;
}

/**
 * Output that cannot be written (a full disk, a reader that went away) ends the run at once with
 * exit 2 and one line saying so: not an unhandled 'error' event's stack trace, and not the
 * check's own exit code, which would say a report was delivered that was lost.
 */
function failOnUnwritableOutput(): void {
  process.stdout.on('error', (error: Error) => {
    process.stderr.write(`kvm-rules: cannot write to standard output: ${error.message}\n`);
    process.exit(ExitCode.badInput);
  });
  // Nowhere is left to say it.
  process.stderr.on('error', () => {
    process.exit(ExitCode.badInput);
  });
}

/** Resolves once what was written to `stream` has been handed to the system (at once when nothing waits). */
function written(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => {
      resolve();
    });
  });
}

/**
 * Ends the process once its output is out. Left to end by itself, Node first takes its heap
 * apart, about 20 ms after reading a kernel tree; process.exit() leaves the memory to the
 * system. Output still queued (pipes are written asynchronously on macOS) is waited for, never
 * cut, and a write that failed is said first: its 'error' event comes on a later tick.
 */
async function exitWhenWritten(code: number): Promise<void> {
  await Promise.all([written(process.stdout), written(process.stderr)]);
  await new Promise((resolve) => setImmediate(resolve));
  process.exit(code);
}

failOnUnwritableOutput();
const argv = process.argv.slice(2);
const color = colorWanted(process.env, process.stdout);
// A terminal's width (none when the terminal does not say: then the default, 80).
const width = isTerminal(process.stdout) && process.stdout.columns > 0 ? process.stdout.columns : undefined;
const hit = cached(argv, { color, width });
if (hit) {
  process.stdout.write(hit.output);
  for (const notice of hit.notices) process.stderr.write(`${notice}\n`);
  await exitWhenWritten(hit.exitCode);
} else {
  const { main } = await import('./cli.js');
  const code = await main(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    color,
    progress: isTerminal(process.stderr),
    ...(width !== undefined ? { width } : {}),
  });
  await exitWhenWritten(code);
}
