import { closestName } from '@kvm-rules/core';

/**
 * What follows `unknown <what> "<name>"` in a bad-input message: the likely name when `name`
 * looks like a misspelling of one of `known`, else every known name, in the order given.
 */
export function unknownNameHint(name: string, known: readonly string[], what: string): string {
  const suggestion = closestName(name, [...known]);
  return suggestion ? ` (did you mean "${suggestion}"?)` : ` (${what}: ${known.join(', ')})`;
}
