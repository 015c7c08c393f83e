// The program behind bin/kvm-rules.js. A --cache hit prints the kept report before anything
// else is loaded; otherwise the command line runs. cached() never throws: a cache file that is
// broken, not a regular file or too large is no cache, and the command line runs.
import { cached } from './cache.js';

const argv = process.argv.slice(2);
const hit = cached(argv);
if (hit) {
  process.stdout.write(hit.output);
  process.exitCode = hit.exitCode;
} else {
  const [{ main }, { default: pc }] = await Promise.all([import('./cli.js'), import('picocolors')]);
  process.exitCode = await main(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // A terminal, unless NO_COLOR says otherwise (or FORCE_COLOR asks for color anyway).
    color: pc.isColorSupported,
    progress: process.stderr.isTTY === true,
  });
}
