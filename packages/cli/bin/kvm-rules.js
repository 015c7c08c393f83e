#!/usr/bin/env node
// The installed command. It is committed (not built) so that npm can link it on a fresh
// clone before the build has run; the program itself is dist/bin.js. It checks the Node
// version first, in syntax any Node runs, so that an old one gets a sentence, not a SyntaxError.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`kvm-rules: needs Node.js 20.19 or newer; this is Node.js ${process.versions.node} (${process.execPath})\n`);
  process.exit(2);
}
// Node 22.1 and later keep V8's compiled code of the modules between runs (in the temp
// directory, checked against each file's content), so that a start compiles nothing it
// compiled before, as npm's own command does. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
try {
  (await import('node:module')).enableCompileCache?.();
} catch {
  // Without the cache, a start only compiles again.
}
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('kvm-rules: not built yet; run `npm install` (or `npm run build`) in the kvm-rules checkout\n');
  process.exitCode = 2;
}
