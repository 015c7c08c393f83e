// The program behind bin/kvm-rules.js.
import pc from 'picocolors';
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // A terminal, unless NO_COLOR says otherwise (or FORCE_COLOR asks for color anyway).
  color: pc.isColorSupported,
});
