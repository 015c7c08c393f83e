// The vitest configuration every package uses. Each package also writes a JSON report
// (.test-report.json, kept as a turbo output) so that scripts/test-totals.mjs can count the
// whole suite even when turbo replays a package's tests from its cache.
import { defineConfig } from 'vitest/config';

export function packageConfig() {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: '.test-report.json' },
      testTimeout: 30_000,
    },
  });
}
