import { setFlagsFromString } from 'node:v8';

/**
 * Runs WebAssembly on V8's baseline compiler (Liftoff) only. Both modules kvm-rules loads, the C
 * parser (tree-sitter) and the layout engine (Graphviz), do a few hundred milliseconds of work
 * in one run: tiering up compiles megabytes of code with the optimizing compiler, on the same two
 * cores, for less than it saves (measured: ~15% of a whole-tree check; the HTML report's
 * overhead went from ~400 ms to ~150 ms when Graphviz was compiled after the flag, not before).
 * V8 reads it when a module is compiled, so every loader calls this before compiling its own:
 * whichever comes first sets it for both.
 */
export function preferBaselineWasm(): void {
  setFlagsFromString('--liftoff-only');
}
