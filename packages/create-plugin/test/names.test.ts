// The names a new plugin package is written under, and the dependencies a release gives it.
import { InputError } from '@kvm-rules/core';
import { describe, expect, it } from 'vitest';
import { publishedPlan, VITEST_RANGE } from '../src/index.js';
import { pluginNames } from '../src/names.js';

describe('pluginNames', () => {
  it('an arch id gives the package, the arch and its example rule kind', () => {
    const names = pluginNames('loongarch-demo');
    expect(names.id).toBe('loongarch-demo');
    expect(names.packageName).toBe('kvm-rules-plugin-loongarch-demo');
  });

  it('a name that is no arch id is bad input', () => {
    expect(() => pluginNames('Bad Name')).toThrow(InputError);
  });
});

describe('publishedPlan', () => {
  it('a release depends on its own version of every @kvm-rules package, and on vitest', () => {
    const plan = publishedPlan('1.2.3');
    expect(plan.dependencies).toEqual({ '@kvm-rules/core': '^1.2.3' });
    expect(plan.devDependencies).toEqual({ 'kvm-rules': '^1.2.3', '@kvm-rules/rule-tester': '^1.2.3', '@kvm-rules/rules': '^1.2.3', vitest: VITEST_RANGE });
    expect(plan.overrides).toBeUndefined();
  });
});
