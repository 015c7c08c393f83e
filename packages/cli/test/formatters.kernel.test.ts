// The sarif, junit, github and mail formats, on the seed review (--profile tdx-v7) and on the
// real 6.12 tree (fetched by scripts/kernels.mjs when missing; a tree that cannot be had fails
// these tests, it never skips them).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintOf, formatLocation, type Finding } from '@kvm-rules/core';
import multitool from '@microsoft/sarif-multitool';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import { escapeData, escapeProperty } from '../src/formatters/github.js';
import type { CheckResult } from '../src/formatters/index.js';
import { escapeAttribute, escapeText } from '../src/formatters/junit.js';
import { MAIL_WIDTH, wrap } from '../src/formatters/mail.js';
import { FINGERPRINT_KEY } from '../src/formatters/sarif.js';
import { codePoints } from '../src/formatters/wrap.js';

const cliPackage = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as {
  version: string;
  repository: { url: string };
};
const cliVersion = cliPackage.version;
/** The repository's page, from package.json's git+https://…git URL: where the reports link. */
const repository = cliPackage.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The default rule set, every rule of which is on. */
const RULE_IDS = readdirSync(fileURLToPath(new URL('../../../rules/', import.meta.url)))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => name.replace(/\.yaml$/, ''))
  .sort();

/** A rule's kind, from its file in rules/: its page is the kind's. */
const kindOf = (id: string) => /^kind: (\S+)$/m.exec(readFileSync(fileURLToPath(new URL(`../../../rules/${id}.yaml`, import.meta.url)), 'utf8'))?.[1];

/** Where a finding is, as the text formats print it. */
const where = (finding: Finding) => (finding.location ? formatLocation(finding.location) : '(no location)');

/** Whether a text is well-formed XML. */
function wellFormed(xml: string): boolean {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- it points to fast-xml-validator, which is not published yet
  return XMLValidator.validate(xml) === true;
}

let linux612 = '';

beforeAll(() => {
  linux612 = fetchKernel('6.12');
}, 300_000);

interface Subject {
  name: string;
  argv: () => string[];
  /** The uriBaseId of the findings' own locations in SARIF. */
  base: 'KERNEL_ROOT' | 'PROJECT_ROOT';
}

const SUBJECTS: Subject[] = [
  { name: '--profile tdx-v7', argv: () => ['--profile', 'tdx-v7'], base: 'PROJECT_ROOT' },
  { name: '--kernel linux-6.12', argv: () => ['--kernel', linux612], base: 'KERNEL_ROOT' },
];

/** The repository: the command runs from there, as the README's examples do, so paths are relative to it. */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));

function check(format: string, argv: string[]): { code: number; stdout: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [bin, 'check', '--format', format, ...argv], { cwd: root, encoding: 'utf8' });
  if (status !== 0 && status !== 1) throw new Error(`exit ${status}: ${stderr}`);
  return { code: status, stdout };
}

function findingsOf(argv: string[]): CheckResult {
  return JSON.parse(check('json', argv).stdout) as CheckResult;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvm-rules-formats-'));
}

describe.each(SUBJECTS)('check $name', (subject) => {
  it('sarif: validates with the SARIF Multitool with no errors, one result per finding, stable fingerprints', () => {
    const expected = findingsOf(subject.argv());
    const dir = tempDir();
    const file = join(dir, 'kvm-rules.sarif');
    const { code } = check('sarif', [...subject.argv(), '--output-file', file]);
    expect(code).toBe(expected.summary.errors > 0 ? 1 : 0);

    const out = join(dir, 'validation.sarif');
    const validation = spawnSync(multitool, ['validate', file, '--output', out], { encoding: 'utf8' });
    expect(validation.error).toBeUndefined();
    expect(validation.status, validation.stdout + validation.stderr).toBe(0);
    expect(validation.stdout).toContain('Analysis completed successfully');
    expect(validation.stdout).not.toMatch(/\berror SARIF\d+/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Log;
    const problems = report.runs.flatMap((r) => r.results ?? []).filter((r) => r.level === 'error');
    expect(problems.map((r) => r.message.text ?? r.message.arguments)).toEqual([]);
    expect(report.runs[0]!.invocations?.[0]?.executionSuccessful).toBe(true);

    const log = JSON.parse(readFileSync(file, 'utf8')) as Log;
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const sarifRun = log.runs[0]!;
    const driver = sarifRun.tool.driver;
    const rules = driver.rules ?? [];
    expect(repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(driver).toMatchObject({ name: 'kvm-rules', version: cliVersion, informationUri: repository });
    expect(rules.map((r) => r.id).sort()).toEqual(RULE_IDS);
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy();
      expect(rule.fullDescription?.text).toBeTruthy();
      expect(rule.properties?.docs).toMatch(/^rules\/docs\/rules\/[a-z-]+\.md$/);
      // The page on the web, never a path of this machine: the checkout's rules/ is the repository's.
      expect(rule.helpUri).toBe(`${repository}/blob/HEAD/${String(rule.properties?.docs)}`);
      expect(rule.help?.text).toMatch(new RegExp(`\\. See ${(rule.helpUri ?? '').replace(/[.?]/g, '\\$&')}\\.$`));
      expect(['error', 'warning']).toContain(rule.defaultConfiguration?.level);
    }
    const bases = sarifRun.originalUriBaseIds ?? {};
    for (const [id, base] of Object.entries(bases)) {
      expect(['PROJECT_ROOT', 'KERNEL_ROOT']).toContain(id);
      expect(base.uri).toMatch(/^file:\/\/\/.*\/$/);
    }
    expect(Object.keys(bases).includes('KERNEL_ROOT')).toBe(subject.base === 'KERNEL_ROOT');

    const results = sarifRun.results ?? [];
    expect(results).toHaveLength(expected.findings.length);
    expect(results.length).toBeGreaterThan(0);
    results.forEach((result, i) => {
      const finding = expected.findings[i]!;
      expect(result.ruleId).toBe(finding.ruleId);
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(finding.ruleId);
      expect(result.level).toBe(finding.severity);
      expect(result.message.text).toBe(finding.message);
      expect(result.locations?.[0]?.physicalLocation).toEqual({
        artifactLocation: { uri: finding.location?.file, uriBaseId: subject.base },
        region: { startLine: finding.location?.line, startColumn: finding.location?.column },
      });
      expect(result.relatedLocations ?? []).toHaveLength(finding.related?.length ?? 0);
      result.relatedLocations?.forEach((related, j) => {
        expect(related.message?.text).toBe(finding.related?.[j]?.message);
        expect(related.physicalLocation?.region?.startLine).toBe(finding.related?.[j]?.location.line);
      });
      expect(result.partialFingerprints).toEqual({ [FINGERPRINT_KEY]: fingerprintOf(finding) });
      expect(result.partialFingerprints?.[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{64}$/);
    });
    expect(new Set(results.map((r) => r.partialFingerprints?.[FINGERPRINT_KEY])).size).toBe(results.length);

    const again = check('sarif', subject.argv());
    expect(again.stdout).toBe(readFileSync(file, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('junit: parses as XML with a test case per arch × rule and a failure per finding', () => {
    const expected = findingsOf(subject.argv());
    const { stdout } = check('junit', subject.argv());
    expect(wellFormed(stdout)).toBe(true);
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      htmlEntities: true,
      isArray: (name) => ['testsuite', 'testcase', 'failure', 'property'].includes(name),
    });
    interface Case {
      name: string;
      classname: string;
      failure?: { message: string; type: string; '#text': string }[];
    }
    interface Suite {
      name: string;
      tests: string;
      failures: string;
      testcase: Case[];
      properties: { property: { name: string; value: string }[] };
    }
    const xml = parser.parse(stdout) as { testsuites: { tests: string; failures: string; testsuite: Suite[] } };
    const suites = xml.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['generic', ...expected.archs]);
    const cases = suites.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(suites.length * RULE_IDS.length);
    expect(Number(xml.testsuites.tests)).toBe(cases.length);
    for (const suite of suites) {
      expect(suite.testcase.map((c) => c.name).sort()).toEqual(RULE_IDS);
      expect(suite.properties.property).toContainEqual({ name: 'profile', value: expected.profile });
    }
    const failures = cases.flatMap((c) => c.failure ?? []);
    expect(failures).toHaveLength(expected.findings.length);
    const failing = new Set(expected.findings.map((f) => `${f.arch} ${f.ruleId}`));
    expect(cases.filter((c) => c.failure).length).toBe(failing.size);
    expect(Number(xml.testsuites.failures)).toBe(failing.size);
    for (const finding of expected.findings) {
      const testcase = cases.find((c) => c.classname === `kvm-rules.${finding.arch}` && c.name === finding.ruleId);
      const failure = testcase?.failure?.find((f) => f.message === finding.message);
      expect(failure?.type).toBe(finding.severity);
      expect(failure?.['#text']).toContain(`at ${where(finding)}`);
    }
  });

  it('github: one workflow command per finding, escaped as GitHub expects', () => {
    const expected = findingsOf(subject.argv());
    const { stdout } = check('github', subject.argv());
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(expected.findings.length);
    lines.forEach((line, i) => {
      const finding = expected.findings[i]!;
      const match = /^::(error|warning) file=([^,:\r\n]+),line=(\d+),col=(\d+),title=([a-z0-9-]+) \(([a-z0-9-]+)\)::([^\r\n]+)$/.exec(line);
      assert(match, line);
      const [, severity, file, lineNo, col, rule, arch, message = ''] = match;
      expect([severity, file, Number(lineNo), Number(col), rule, arch]).toEqual([
        finding.severity,
        finding.location?.file,
        finding.location?.line,
        finding.location?.column,
        finding.ruleId,
        finding.arch,
      ]);
      const text = message.replace(/%(25|0D|0A)/g, (_, code: '25' | '0D' | '0A') => ({ '25': '%', '0D': '\r', '0A': '\n' })[code]);
      expect(text.split('\n')[0]).toBe(finding.message);
      expect(text.split('\n')).toHaveLength(1 + (finding.related?.length ?? 0));
    });
  });

  it('mail: a summary first, every finding, lines under 80 columns, no color, byte-identical run to run', () => {
    const expected = findingsOf(subject.argv());
    const { stdout } = check('mail', subject.argv());
    const again = check('mail', subject.argv());
    expect(again.stdout).toBe(stdout);
    expect(stdout).not.toContain('\u001b');
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    // A URL is never cut: its line is the one that may be longer.
    for (const line of lines) if (!/^ {4}Docs: {2}https:\/\/\S+$/.test(line)) expect(codePoints(line).length, line).toBeLessThan(80);
    const { errors, warnings } = expected.summary;
    expect(lines[0]).toMatch(new RegExp(`^kvm-rules found ${errors} errors? and ${warnings} warnings? in ${expected.archs.length} archs`));
    expect(stdout).toContain(`  Profile:  ${expected.profile}\n`);
    if (subject.base === 'KERNEL_ROOT') expect(stdout).toMatch(/\n {2}Kernel: {3}Linux 6\.12\.\d+\n/);
    const headers = lines.filter((line) => /^\[\d+\/\d+\] /.test(line));
    expect(headers).toEqual(expected.findings.map((f, i) => `[${i + 1}/${expected.findings.length}] ${f.severity} in ${f.arch}: rule ${f.ruleId}`));
    for (const finding of expected.findings) {
      expect(stdout).toContain(`    Where: ${where(finding)}\n`);
      for (const related of finding.related ?? []) expect(stdout).toContain(`\n             ${formatLocation(related.location)}\n`);
    }
    // Each finding: its rule in one sentence (what its kind checks) and the rule's page on the web, no local path.
    expect(stdout).not.toContain('file://');
    expect(stdout.split(`${repository}/blob/HEAD/rules/docs/rules/`).join('')).not.toContain('docs/rules/');
    const docs = lines.filter((line) => line.startsWith('    Docs:  '));
    expect(docs).toEqual(expected.findings.map((f) => `    Docs:  ${repository}/blob/HEAD/rules/docs/rules/${kindOf(f.ruleId)}.md`));
    expect(stdout).toContain('    Rule:  No arch phase that does work (not a log line, not a check\n');
    expect(lines.at(-1)).toBe(repository);
    const signature = lines.lastIndexOf('-- ');
    expect(signature).toBeGreaterThan(0);
    expect(lines.slice(signature + 1).join(' ')).toContain(', a checker of the initialization ordering');
    expect(lines[signature + 1]).toMatch(new RegExp(`^kvm-rules ${cliVersion.replace(/\./g, '\\.')}, `));
  });
});

describe('fingerprintOf', () => {
  const finding = {
    ruleId: 'kvm-init-last',
    severity: 'warning',
    arch: 'powerpc',
    profile: 'kernel-6.12.117',
    message: 'kvmppc_e500_init() does work after kvm_init(): "pr-ops"; under kernel-6.12.117, kvm_init() has by then exposed /dev/kvm',
    location: { file: 'arch/powerpc/kvm/e500.c', line: 537, column: 2 },
    related: [{ message: '"pr-ops" (kvmppc_pr_ops = …) also runs after kvm_init()', location: { file: 'arch/powerpc/kvm/e500.c', line: 538, column: 2 } }],
  } satisfies Finding;

  it('is a sha256 that survives line shifts, another column and another release of the same profile', () => {
    const fingerprint = fingerprintOf(finding);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const shifted: Finding = {
      ...finding,
      location: { file: 'arch/powerpc/kvm/e500.c', line: 612, column: 9 },
      related: [{ ...finding.related[0]!, location: { file: 'arch/powerpc/kvm/e500.c', line: 613, column: 2 } }],
    };
    expect(fingerprintOf(shifted)).toBe(fingerprint);
    expect(fingerprintOf({ ...finding, severity: 'error' })).toBe(fingerprint);
    const nextRelease = { ...finding, profile: 'kernel-6.12.118', message: finding.message.replace('kernel-6.12.117', 'kernel-6.12.118') };
    expect(fingerprintOf(nextRelease)).toBe(fingerprint);
  });

  it('ignores the line and column a message cites after a file name', () => {
    const drift: Finding = {
      ruleId: 'plugin-drift',
      severity: 'error',
      arch: 'x86-vmx',
      profile: 'kernel-6.12.117',
      message: 'the tree implements the hardware-enable hook as vmx_enable() (arch/x86/kvm/vmx/vmx.c:2834), which the plugin does not declare',
    };
    expect(fingerprintOf({ ...drift, message: drift.message.replace('vmx.c:2834', 'vmx.c:2901:5') })).toBe(fingerprintOf(drift));
    expect(fingerprintOf({ ...drift, message: drift.message.replace('vmx.c:2834', 'svm.c:2834') })).not.toBe(fingerprintOf(drift));
  });

  it('differs by rule, arch and message', () => {
    const fingerprint = fingerprintOf(finding);
    expect(fingerprintOf({ ...finding, ruleId: 'unwind-on-failure' })).not.toBe(fingerprint);
    expect(fingerprintOf({ ...finding, arch: 'mips' })).not.toBe(fingerprint);
    expect(fingerprintOf({ ...finding, message: finding.message.replace('pr-ops', 'ops-owner') })).not.toBe(fingerprint);
  });
});

describe('escaping', () => {
  const nasty = 'a & b < c > d "e" \'f\' 50% x:y, z\r\n\ttab \u0001 ]]> done';

  it('junit: text and attributes read back as they were (characters XML cannot carry become U+FFFD)', () => {
    const xml = `<r a="${escapeAttribute(nasty)}">${escapeText(nasty)}</r>`;
    expect(wellFormed(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', trimValues: false, htmlEntities: true }).parse(xml) as {
      r: { a: string; '#text': string };
    };
    const readable = nasty.replace('\u0001', '\uFFFD');
    expect(parsed.r.a).toBe(readable);
    expect(parsed.r['#text']).toBe(readable);
  });

  it('github: %, CR and LF in data; also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext%3A a%2C b');
  });

  it('mail: words fill lines up to the width; a word longer than a line is cut', () => {
    expect(wrap('aaa bbb ccc', '> ', '  ', 9)).toEqual(['> aaa bbb', '  ccc']);
    const long = 'x'.repeat(MAIL_WIDTH * 2);
    const lines = wrap(`see ${long} there`, '    Fix:   ', ' '.repeat(11));
    expect(lines.every((line) => codePoints(line).length <= MAIL_WIDTH)).toBe(true);
    expect(lines.join('').replace(/\s+/g, '')).toBe(`Fix:see${long}there`);
  });
});
