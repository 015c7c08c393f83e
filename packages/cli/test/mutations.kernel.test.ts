// The mutation harness (scripts/mutations/) as part of the suite: each case of our own on a copy
// of Debian's 6.12 or 6.1 tree, a bug caught with the right rule at the right line and nothing
// else, a control (an equivalent rewrite) changing no finding. `npm run mutations` prints the
// same cases as a table by class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM scripts of the repository, without types
import { cases } from '../../../scripts/mutations/cases.mjs';
// @ts-expect-error: plain ESM scripts of the repository, without types
import { runCase, treeCopies } from '../../../scripts/mutations/harness.mjs';

interface Case {
  id: string;
  tree: string;
  arch: string;
  class: string;
  expect?: unknown[];
}

interface Outcome {
  missed: unknown[];
  falseAlarms: { ruleId: string; arch: string; message: string; location?: { file: string; line: number } }[];
}

let trees: { copies: Map<string, string>; remove: () => void };
const baselines = new Map();

beforeAll(() => {
  trees = treeCopies(['6.12', '6.1']);
}, 300_000);
afterAll(() => trees?.remove());

describe('mutations', () => {
  for (const change of cases as Case[]) {
    const what = change.expect ? `bug (${change.class}) caught, nothing else` : `control (${change.class}) changes nothing`;
    it(`${change.tree} ${change.arch} ${change.id}: ${what}`, async () => {
      const outcome = (await runCase(trees.copies.get(change.tree), baselines, change)) as Outcome;
      expect(outcome.missed).toEqual([]);
      expect(outcome.falseAlarms.map((f) => `${f.ruleId} ${f.arch} ${f.location?.file}:${f.location?.line} ${f.message}`)).toEqual([]);
    }, 60_000);
  }
});
