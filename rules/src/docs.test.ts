import { fileURLToPath } from 'node:url';
import { loadRuleFiles } from '@kvm-rules/core';
import { ruleDocsProblemsIn } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';
import { kinds } from './index.js';

// meta.docs.url is relative to the package, as in every plugin package: rules/docs/rules/<kind>.md.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const rules = loadRuleFiles(new Map(kinds.map((kind) => [kind.name, kind])), packageDir);

describe('rule documentation', () => {
  it('every rule kind has its page at meta.docs.url, opening with its meta, and every page a rule kind', () => {
    expect(ruleDocsProblemsIn(packageDir, kinds, rules)).toEqual([]);
  });

  it('every kind is used by the default set, and every rule file configures one of these kinds', () => {
    expect(new Set(rules.map((rule) => rule.module.name))).toEqual(new Set(kinds.map((kind) => kind.name)));
  });
});
