// JUnit XML (docs/formats.md): a test suite per arch ("generic" for the profile itself), a
// test case per rule that ran in each, one <failure> per finding.
import { formatLocation, type Finding } from '@kvm-rules/core';
import { archsOf, rulesOf } from './shared.js';
import type { CheckResult } from './types.js';

/** XML 1.0 cannot carry these even as references: they become U+FFFD. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Text content: markup characters escaped; CR kept as a reference so a parser does not fold it. */
export function escapeText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => ENTITIES[c]!);
}

/** An attribute value in double quotes: also quotes, and whitespace a parser would otherwise normalize. */
export function escapeAttribute(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c]!);
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
}

function failureText(finding: Finding): string {
  const lines = [`${finding.severity}: ${finding.message}`];
  if (finding.location) lines.push(`at ${formatLocation(finding.location)}`);
  for (const related of finding.related ?? []) lines.push(`↳ ${formatLocation(related.location)}  ${related.message}`);
  return lines.join('\n');
}

const junit = (result: CheckResult): string => {
  const rules = rulesOf(result);
  const archs = archsOf(result);
  const properties: Record<string, string> = { profile: result.profile };
  if (result.kernel) properties.kernel = result.kernel.version;
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const arch of archs) {
    const findings = result.findings.filter((f) => f.arch === arch);
    const failing = new Set(findings.map((f) => f.ruleId));
    const suiteProperties = { ...properties, ...(result.variants[arch] ? { variant: result.variants[arch] } : {}) };
    const lines = [
      `  <testsuite${attributes({ name: arch, tests: rules.length, failures: failing.size, errors: 0, skipped: 0 })}>`,
      '    <properties>',
      ...Object.entries(suiteProperties).map(([name, value]) => `      <property${attributes({ name, value })}/>`),
      '    </properties>',
    ];
    for (const rule of rules) {
      const caseAttributes = attributes({ name: rule.id, classname: `kvm-rules.${arch}` });
      const ruleFindings = findings.filter((f) => f.ruleId === rule.id);
      if (ruleFindings.length === 0) {
        lines.push(`    <testcase${caseAttributes}/>`);
        continue;
      }
      lines.push(`    <testcase${caseAttributes}>`);
      for (const finding of ruleFindings) {
        lines.push(`      <failure${attributes({ message: finding.message, type: finding.severity })}>${escapeText(failureText(finding))}</failure>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
    suites.push(...lines);
    tests += rules.length;
    failures += failing.size;
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'kvm-rules', tests, failures, errors: 0 })}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
};

export default junit;
