import { createRule, type RuleDefinition } from '@kvm-rules/core';
import { describe, expect, it } from 'vitest';
import { demoPlugin, KVM_INIT_PHASE } from './demo-plugin.js';
import { ruleDocsHeader, ruleDocsProblems } from './rule-docs.js';
import { mismatchOf, reportsFor, RuleTester } from './rule-tester.js';

/** A kind small enough to test the tester with: every phase whose id is in `names` is reported. */
const namedPhase = createRule({
  name: 'named-phase',
  meta: {
    type: 'problem',
    docs: { description: 'No phase has one of the listed ids.' },
    messages: { named: 'phase "{{id}}" has a listed id' },
    schema: [{ type: 'object', additionalProperties: false, properties: { names: { type: 'array', items: { type: 'string' } } } }],
    defaultOptions: [{ names: [] as string[] }] as const,
  },
  create(context, [{ names }]) {
    return {
      Phase(node) {
        if (names.includes(node.phase.id)) context.report({ node, messageId: 'named', data: { id: node.phase.id } });
      },
    };
  },
});

const plugin = demoPlugin({ phases: ['{ id: setup, call: demo_setup }', KVM_INIT_PHASE] });
const options = { names: ['setup'] };

new RuleTester().run('named-phase', namedPhase, {
  valid: [{ name: 'no listed id', plugins: plugin }],
  invalid: [{ name: 'a listed id', plugins: plugin, options, errors: [{ messageId: 'named', arch: 'demo', data: { id: 'setup' }, line: 8 }] }],
});

describe('mismatchOf: a case that does not hold is told, never passed', () => {
  const reports = reportsFor(namedPhase, { name: 'listed', plugins: plugin, options });

  it('agrees with what the case expects', () => {
    expect(mismatchOf(reports, [{ messageId: 'named', data: { id: 'setup' }, file: 'plugin-0.yaml', line: 8, column: 9 }])).toBeUndefined();
  });

  it('names the count, the field or the data that differ', () => {
    expect(mismatchOf(reports, [])).toMatch(/^expected 0 reports, got 1:\n {2}named \[demo\] phase "setup"/);
    expect(mismatchOf(reports, [{ messageId: 'other' }])).toMatch(/^report 0: expected messageId "other", got "named"/);
    expect(mismatchOf(reports, [{ messageId: 'named', line: 9 }])).toMatch(/^report 0: expected line 9, got 8/);
    expect(mismatchOf(reports, [{ messageId: 'named', data: { id: 'kvm-init' } }])).toMatch(/^report 0: expected data.id "kvm-init", got "setup"/);
  });

  it('refuses options the kind does not take', () => {
    expect(() => reportsFor(namedPhase, { name: 'bad', plugins: plugin, options: { nmaes: [] } })).toThrow(/invalid options for named-phase/);
  });
});

describe('rule pages against rule meta', () => {
  const rules: RuleDefinition[] = [
    { id: 'named-phase', summary: 'No phase has one of the listed ids.', file: 'rules/named-phase.yaml', severity: 'warning', module: namedPhase, options: [] },
  ];
  const header = ruleDocsHeader(namedPhase, rules);
  const page = (opening: string, options: string) => `${opening}\n## Rule details\n\nWhy.\n\n## Options\n\n${options}\n`;

  it('the header says the description and the severity in the set', () => {
    expect(header).toBe('# named-phase\n\nNo phase has one of the listed ids. Severity in the default set: **warning**.\n');
  });

  it("a plugin's page names its own rule set, and a kind no rule file uses says so", () => {
    expect(ruleDocsHeader(namedPhase, rules, "this package's rules")).toBe(
      "# named-phase\n\nNo phase has one of the listed ids. Severity in this package's rules: **warning**.\n",
    );
    expect(ruleDocsHeader(namedPhase, [])).toBe('# named-phase\n\nNo phase has one of the listed ids. Not used by the default set.\n');
  });

  it('a page that opens with the header and describes every option agrees', () => {
    expect(ruleDocsProblems(namedPhase, page(header, '- `names`: the ids.'), rules)).toEqual([]);
  });

  it('a page whose opening or options drift from the meta is told', () => {
    expect(ruleDocsProblems(namedPhase, page('# named-phase\n\nSomething else.\n', '- `names`: the ids.'), rules)[0]).toMatch(/^does not open with/);
    expect(ruleDocsProblems(namedPhase, page(header, 'None.'), rules)).toEqual(['"## Options" does not describe the option `names`']);
    expect(ruleDocsProblems(namedPhase, header, rules)).toEqual([
      'has no "## Rule details" section',
      'has no "## Options" section',
      '"## Options" does not describe the option `names`',
    ]);
  });
});
