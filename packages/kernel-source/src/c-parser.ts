import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { preferBaselineWasm } from '@kvm-rules/core';
import { Language, Parser } from 'web-tree-sitter';
import { hasParkedCode, withoutDisabledBranches } from './preprocessor.js';

let ready: Promise<Parser> | undefined;

/** grammar/tree-sitter-c.wasm, which the build copies from tree-sitter-c (scripts/copy-grammar.mjs); the same path from src/ and dist/. */
export function grammarFile(): string {
  const file = fileURLToPath(new URL('../grammar/tree-sitter-c.wasm', import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: build @kvm-rules/kernel-source (npm run build)`);
  return file;
}

/** The C parser (web-tree-sitter with the tree-sitter-c WASM grammar), set up once per process. */
export function cParser(): Promise<Parser> {
  ready ??= (async () => {
    // A run parses a few hundred small functions once each: baseline code is soon enough.
    preferBaselineWasm();
    await Parser.init();
    const language = await Language.load(grammarFile());
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

// Kernel attributes that tree-sitter-c does not know and that turn a definition into an
// ERROR node. They carry nothing the analysis needs, so they are blanked out (with spaces, so
// that every line and column stays where it is in the kernel file).
const ATTRIBUTES =
  /\b(?:__init|__exit|__initdata|__initconst|__ro_after_init|__read_mostly|__always_inline|noinline|__cold|__weak|notrace|noinstr|__maybe_unused|__visible|asmlinkage|__must_check|__percpu|__rcu|__user|__iomem|__force|__sched|__noreturn|__used)\b/g;

// Macros handed a type (`alloc_percpu(struct kvm_context)`): without `struct` the type reads as
// a name, and the call parses as the call it is.
const TYPE_ARGUMENTS = /\b(?:alloc_percpu\w*|__alloc_percpu\w*|container_of\w*|sizeof_field|kmem_cache_create\w*|KMEM_CACHE)\([^()]*\)/g;

// Iterator macros (`for_each_possible_cpu(cpu) { ... }`) are not C; written as `while (...)`
// padded to the same length, they parse as the loops they are.
const ITERATORS = /\b(?:[a-z0-9_]*for_each[a-z0-9_]*)(?=\s*\()/g;

/** Makes kernel C palatable to tree-sitter without moving anything; `enabled`: the module's configuration (kconfig.ts). */
export function maskKernelMacros(text: string, enabled?: ReadonlySet<string>): string {
  // Most functions hold no directive: their lines need not be split to find none.
  const settled = text.includes('#') && ((enabled !== undefined && enabled.size > 0) || hasParkedCode(text));
  return (settled ? withoutDisabledBranches(text, enabled) : text)
    .replace(ATTRIBUTES, (word) => ' '.repeat(word.length))
    .replace(/\boffsetofend(?=\s*\()/g, 'offsetof   ')
    .replace(TYPE_ARGUMENTS, (call) => call.replace(/\b(?:struct|union)\s/g, (word) => ' '.repeat(word.length)))
    .replace(ITERATORS, (word) => 'while' + ' '.repeat(word.length - 5));
}
