// The fuzz suite (scripts/fuzz/) as part of the suite: a short deterministic run (seed 1, 60
// cases: 12 C mutations of the late-percpu fixture, each run twice; 36 declarative inputs; 12
// faults around the run), each case a child process of the CLI under a time bound, judged
// against the CLI's contract (see scripts/fuzz/harness.mjs). `npm run fuzz` runs more cases,
// with any seed, and prints a table per campaign.
import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../../scripts/fuzz/harness.mjs';

describe('fuzz', () => {
  it('seed 1, 60 cases: no internal error, hang, stack trace, silent pass, or multi-line bad input', async () => {
    const { rows, breaks } = await runFuzz({ seed: 1, count: { 'c-mutations': 12, declarative: 36, faults: 12 }, jobs: 2 });
    expect(rows.map((r) => [r.campaign, r.runs])).toEqual([
      ['c-mutations', 12],
      ['declarative', 36],
      ['faults', 12],
    ]);
    expect(breaks.map((b) => `${b.id} ${b.kind} ${b.what}: ${b.breaks.join(', ')}\n  ${b.command}\n  ${b.output}`)).toEqual([]);
  }, 180_000);
});
