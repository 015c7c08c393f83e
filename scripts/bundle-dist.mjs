#!/usr/bin/env node
// Build step, run in a package's folder after tsc: bundles the package's entry modules in
// dist/ (tsc's output) over themselves, each with the package's own modules and its
// third-party dependencies inlined, and removes the modules it inlined. A start then reads a
// few files instead of a few hundred (resolving, reading and compiling each module was most of
// a model-only check's start-up, see scripts/bench.mjs).
//
//   node ../../scripts/bundle-dist.mjs dist/bin.js dist/index.js
//
// What stays a module of its own:
// - @kvm-rules/* packages: a plugin's rule kinds, a --rules-dir rule and the CLI must share one
//   core (one set of validators, one rule API), not each carry a copy;
// - web-tree-sitter, which finds its .wasm beside its own file;
// - whatever is loaded by a path computed at run time (validators.cjs, ajv when a plugin's own
//   schema is compiled), which a bundler does not see.
// import.meta.url in the package's own modules is rewritten to the URL that module had in
// dist/, so that files found relative to it (profiles/, grammar/, package.json) are the same
// files, wherever the package is installed.
import { build } from 'esbuild';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: bundle-dist.mjs dist/ENTRY.js [dist/ENTRY.js ...]');
  process.exit(2);
}
const packageDir = process.cwd();
const outdir = resolve(packageDir, 'dist');
const entryPoints = entries.map((entry) => resolve(packageDir, entry));
for (const entry of entryPoints) {
  if (dirname(entry) !== outdir) throw new Error(`${entry}: an entry must be a module directly in dist/`);
}

/** `new URL('./load/validate.js', import.meta.url).href`: the module's own URL, from the bundle in dist/ it lands in. */
function ownUrl(file) {
  const path = relative(outdir, file).split(sep).join('/');
  return `new URL(${JSON.stringify(`./${path}`)}, import.meta.url).href`;
}

const rewriteImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, async ({ path }) => {
      if (!path.startsWith(outdir + sep)) return undefined;
      const text = await readFile(path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', ownUrl(path)), loader: 'js', resolveDir: dirname(path) };
    });
  },
};

// tsc does not clear dist/: the chunks of an earlier build are removed here, so that none is left over.
const CHUNK = /^chunk-[A-Z0-9]+\.js$/;
await Promise.all((await readdir(outdir)).filter((name) => CHUNK.test(name)).map((name) => rm(resolve(outdir, name))));

const result = await build({
  entryPoints,
  outdir,
  allowOverwrite: true,
  bundle: true,
  // Chunks for what two entries share, or what one loads with import() (the CLI's command line
  // after a --cache miss, the kernel reader for --kernel): a start compiles only what it runs.
  splitting: true,
  // Beside the entries in dist/, so that ownUrl() holds for code in a chunk too.
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@kvm-rules/*', 'web-tree-sitter', 'ajv', '@hpcc-js/wasm-graphviz'],
  // CommonJS dependencies (yaml, commander) call require() for Node's built-in modules.
  banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" },
  plugins: [rewriteImportMetaUrl],
  legalComments: 'inline',
  metafile: true,
  logLevel: 'warning',
});

// The package's modules now inside a bundle: removed, so that nothing loads a second copy of one.
const outputs = new Set(Object.keys(result.metafile.outputs).map((file) => resolve(file)));
const inlined = Object.keys(result.metafile.inputs)
  .map((file) => resolve(file))
  .filter((file) => file.startsWith(outdir + sep) && !outputs.has(file));
await Promise.all(inlined.map((file) => rm(file)));
