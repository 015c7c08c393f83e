// The package's own tests besides the example rule's: its rule pages against its kinds, and its
// findings under a profile, which new-plugin computed when it wrote the package.
import type { Finding } from '@kvm-rules/core';

export function docsTest(): string {
  return `import { fileURLToPath } from 'node:url';
import { loadRuleFiles } from '@kvm-rules/core';
import { ruleDocsProblemsIn } from '@kvm-rules/rule-tester';
import { describe, expect, it } from 'vitest';
import { kinds } from '../kinds.js';

// meta.docs.url is relative to the package: docs/rules/<kind>.md.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const rules = loadRuleFiles(new Map(kinds.map((kind) => [kind.name, kind])), fileURLToPath(new URL('../rules', import.meta.url)));

describe('rule documentation', () => {
  it('every rule kind has its page at meta.docs.url, opening with its meta and describing each option, and every page a kind', () => {
    expect(ruleDocsProblemsIn(packageDir, kinds, rules, "this package's rules")).toEqual([]);
  });
});
`;
}

export type FindingSummary = Pick<Finding, 'ruleId' | 'severity' | 'arch'>;

/** What plugin.test.js asserts of each finding: enough to notice a new one, a gone one or a changed severity. */
export function summaryOf(findings: readonly Finding[]): FindingSummary[] {
  return findings.map(({ ruleId, severity, arch }) => ({ ruleId, severity, arch }));
}

export function pluginTest(profile: string, findings: readonly FindingSummary[]): string {
  const listed = findings.map((f) => `\n    { ruleId: '${f.ruleId}', severity: '${f.severity}', arch: '${f.arch}' },`).join('');
  return `import { checkPluginPackage } from '@kvm-rules/rule-tester';
import { expect, it } from 'vitest';

// The findings of the default rule set and of this package's own rules about its arch under the
// profile ${profile}, as \`kvm-rules new-plugin\` computed them when it wrote the package: review
// them. Keep the list true as plugin.yaml changes: a finding you fix goes, one you accept stays.
it('under ${profile}, the findings about this plugin are the reviewed ones', async () => {
  const findings = await checkPluginPackage(new URL('..', import.meta.url), '${profile}');
  expect(findings.map(({ ruleId, severity, arch }) => ({ ruleId, severity, arch }))).toEqual([${listed}${listed ? '\n  ' : ''}]);
});
`;
}
