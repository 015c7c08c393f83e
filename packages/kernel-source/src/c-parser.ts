import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser } from 'web-tree-sitter';

let ready: Promise<Parser> | undefined;

/** The C parser (web-tree-sitter with the tree-sitter-c WASM grammar), set up once per process. */
export function cParser(): Promise<Parser> {
  ready ??= (async () => {
    // A run parses a few hundred small functions once each: V8's baseline WebAssembly compiler
    // alone gets there sooner than tiering up to the optimizing one (measured: ~15% of a
    // whole-tree check). Set before the first WebAssembly module is compiled.
    setFlagsFromString('--liftoff-only');
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-c/tree-sitter-c.wasm'));
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

// Iterator macros (`for_each_possible_cpu(cpu) { ... }`) are not C; written as `while (...)`
// padded to the same length, they parse as the loops they are.
const ITERATORS = /\b(?:[a-z0-9_]*for_each[a-z0-9_]*)(?=\s*\()/g;

/** Makes kernel C palatable to tree-sitter without moving anything. */
export function maskKernelMacros(text: string): string {
  return text
    .replace(ATTRIBUTES, (word) => ' '.repeat(word.length))
    .replace(/\boffsetofend(?=\s*\()/g, 'offsetof   ')
    .replace(ITERATORS, (word) => 'while' + ' '.repeat(word.length - 5));
}
