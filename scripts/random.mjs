// mulberry32: a 32-bit seeded PRNG, good enough to pick lines and mutations. One copy for the
// fuzz suite and the tests that draw their cases from a seed.

/** Returns a function that gives the next number in [0, 1) of the sequence `seed` starts. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
