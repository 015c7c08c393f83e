// Every package's tests as one vitest run, each package a project (its own vitest.config.ts):
// a lane is one process with one worker pool, so the packages' tests share the machine's cores
// instead of fourteen vitest processes starting at once (scripts/test.mjs runs the lanes).
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'packages/plugins/*/vitest.config.ts', 'rules/vitest.config.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.test-report.json' },
    // vitest leaves a core free by default; the tests spend much of their time waiting on the
    // processes they spawn (the bin, shells), so every core runs a worker.
    maxWorkers: availableParallelism(),
  },
});
