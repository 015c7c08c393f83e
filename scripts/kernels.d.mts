// The types of scripts/kernels.mjs, for the TypeScript tests that fetch a kernel tree.

/** The kernel versions whose trees the tests and benchmarks read. */
export declare const KERNEL_VERSIONS: readonly string[];
/** Where the trees are unpacked (.cache/kernels/). */
export declare const cacheDir: string;
/** The path of one version's tree (fetched or not). */
export declare function kernelPath(version: string): string;
/** Fetches one tree unless it is there; returns its path. */
export declare function fetchKernel(version: string): string;
/** What the progress line says of a step: its label, and how far it is when that is known. */
export declare function progressText(label: string, done: number | undefined, total: number | undefined): string;
/** fetchKernel(), saying on `write` (a terminal's stderr) which step runs and how far it is. */
export declare function fetchKernelShowing(version: string, write?: (text: string) => void): Promise<string>;
