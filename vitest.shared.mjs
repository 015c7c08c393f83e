// The vitest configuration every package uses: a project of the root vitest.config.mjs, which
// runs the packages' tests as one run per lane (scripts/test.mjs). `npx vitest run` in a
// package's folder runs that package's tests alone.
import { defineConfig } from 'vitest/config';

export function packageConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
    },
  });
}
