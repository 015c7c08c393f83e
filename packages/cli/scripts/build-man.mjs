#!/usr/bin/env node
// Builds the man page, kvm-rules(1), from its markdown source with marked-man:
// src/man/kvm-rules.1.md -> dist/man/kvm-rules.1 (the package's "man" entry, so that
// `man kvm-rules` works after a global install). The footer says this package's version;
// SOURCE_DATE_EPOCH, when set, fixes the date in the header (reproducible builds).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/man/kvm-rules.1.md');
const target = join(root, 'dist/man/kvm-rules.1');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// marked-man's command line, run with this Node: it loads marked itself.
const markedMan = join(dirname(createRequire(import.meta.url).resolve('marked-man/package.json')), 'bin/marked-man.js');
const result = spawnSync(process.execPath, [markedMan, '--no-breaks', '--version', `kvm-rules ${version}`, '--manual', 'kvm-rules manual', source], {
  encoding: 'utf8',
});
if (result.status !== 0) {
  process.stderr.write(`build-man: marked-man exited ${result.status ?? result.signal}\n${result.stderr}`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, result.stdout);
