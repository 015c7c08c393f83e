#!/usr/bin/env node
// The installed command. It is committed (not built) so that npm can link it on a fresh
// clone before the build has run; the program itself is dist/bin.js.
try {
  await import('../dist/bin.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/bin.js')) throw error;
  process.stderr.write('kvm-rules: not built yet; run `npm install` (or `npm run build`) in the kvm-rules checkout\n');
  process.exitCode = 2;
}
