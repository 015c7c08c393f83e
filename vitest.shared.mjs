// The vitest configuration every package uses: a project of the root vitest.config.mjs, which
// runs the packages' tests as one run per lane (scripts/test.mjs). `npx vitest run` in a
// package's folder runs that package's tests alone.
import { defineConfig } from 'vitest/config';

export function packageConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      // A worker runs its test files one after the other in one module graph, instead of
      // importing every module again for each file: a test leaves nothing behind for the next
      // one, since what it changes of the process it changes through vitest (vi.stubEnv, undone
      // by unstubEnvs) or undoes itself (process.chdir in plugins.test).
      isolate: false,
      unstubEnvs: true,
    },
  });
}
