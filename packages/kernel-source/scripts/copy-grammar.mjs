#!/usr/bin/env node
// Build step: the tree-sitter-c grammar as WebAssembly, copied into grammar/ so that the
// published package carries the one file it loads (about 0.6 MB) instead of depending on
// tree-sitter-c, whose package also holds the C sources and a native binding (about 9 MB).
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const target = new URL('../grammar/', import.meta.url);
mkdirSync(target, { recursive: true });
copyFileSync(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), new URL('tree-sitter-c.wasm', target));
