// V8 settings for a run of kvm-rules: a second or so of work that keeps most of what it makes.
// V8's defaults are tuned for long-running servers. Each is set, for the whole process, by the
// code that needs it (the C parser, the graph layout) when it first runs.
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

/**
 * Keeps V8's young generation at the size it has when a tree starts to be read (2 MB
 * semi-spaces after kvm-rules has loaded). By default it doubles whenever more of it survives
 * than it holds, up to 16 MB a semi-space on Node 20 and 64 MB on Node 24: reading a tree keeps
 * most of what it allocates (texts, indexes, facts), so it grows to the largest, and each page
 * it commits costs a page fault when first touched, thousands in a run. V8 reads the growth
 * factor at each growth, so it can be set while running, unlike the young generation's size.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
