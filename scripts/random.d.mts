// The types of scripts/random.mjs, for the TypeScript tests that draw their cases from a seed.

/** Returns a function that gives the next number in [0, 1) of the sequence `seed` starts. */
export declare function mulberry32(seed: number): () => number;
