// The mutation harness (scripts/mutations/) as part of the suite: each case of our own on a copy
// of Debian's 6.12 or 6.1 tree, a bug caught with the right rule at the right line and nothing
// else, a control (an equivalent rewrite) changing no finding. `npm run mutations` prints the
// same cases as a table by class.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases } from '../../../scripts/mutations/cases.mjs';
import { runCase, treeCopies, type Baselines } from '../../../scripts/mutations/harness.mjs';

let trees: ReturnType<typeof treeCopies> | undefined;
const baselines: Baselines = new Map();

beforeAll(() => {
  trees = treeCopies(['6.12', '6.1']);
}, 300_000);
afterAll(() => trees?.remove());

/** The copy of a tree that the cases edit (made before all of them). */
function copyOf(version: string): string {
  const copy = trees?.copies.get(version);
  if (copy === undefined) throw new Error(`no copy of the ${version} tree`);
  return copy;
}

describe('mutations', () => {
  for (const change of cases) {
    const what = change.expect ? `bug (${change.class}) caught, nothing else` : `control (${change.class}) changes nothing`;
    it(`${change.tree} ${change.arch} ${change.id}: ${what}`, async () => {
      const outcome = await runCase(copyOf(change.tree), baselines, change);
      expect(outcome.missed).toEqual([]);
      expect(outcome.falseAlarms.map((f) => `${f.ruleId} ${f.arch} ${f.location?.file ?? ''}:${f.location?.line ?? ''} ${f.message}`)).toEqual([]);
    }, 60_000);
  }
});
