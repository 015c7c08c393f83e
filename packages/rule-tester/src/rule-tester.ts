// A RuleTester in the spirit of ESLint's: valid cases must give no report, invalid cases
// exactly the listed ones. Cases are small plugin manifests written inline as YAML, checked
// under a built-in profile or one written inline. Runs inside vitest (a peer dependency).
import { fileURLToPath } from 'node:url';
import {
  buildCheck,
  builtinProfilesDir,
  Checker,
  compareFindings,
  findPluginPackage,
  GENERIC_ARCH,
  loadPluginSet,
  loadProfiles,
  readPluginText,
  readProfileText,
  ruleOptionsProblem,
  runRule,
  variantOf,
  type Finding,
  type Plugin,
  type PluginSet,
  type Profile,
  type RuleModule,
  type RuleReport,
} from '@kvm-rules/core';
import { describe, expect, it } from 'vitest';

export interface TestCase {
  name: string;
  /** One plugin, or several: manifests as YAML text, or plugins already built (as --kernel derives them). */
  plugins: PluginInput | PluginInput[];
  /** A built-in profile id, or a profile as YAML text. Default: the tester's profile. */
  profile?: string;
  /** A variant to apply to every plugin that has it. */
  variant?: string;
  /** The rule's options object. */
  options?: unknown;
}

export type PluginInput = string | Plugin;

export interface ExpectedReport {
  messageId: string;
  arch?: string;
  /** Expected values of some of the message data. */
  data?: Record<string, string | number>;
  /** The finding's location: file (as shown in findings), line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** The report's own severity (a rule that sets it by what it found: a certain failure, a window). */
  severity?: 'error' | 'warning';
}

export interface InvalidTestCase extends TestCase {
  errors: ExpectedReport[];
}

let loadedProfiles: Map<string, Profile> | undefined;

function builtinProfiles(): Map<string, Profile> {
  loadedProfiles ??= new Map(loadProfiles(builtinProfilesDir).map((p) => [p.id, p]));
  return loadedProfiles;
}

function profileOf(text: string, profiles: ReadonlyMap<string, Profile> = builtinProfiles()): Profile {
  if (text.includes('\n')) return readProfileText(text, 'profile.yaml');
  const profile = profiles.get(text);
  if (!profile) throw new Error(`RuleTester: unknown profile "${text}" (${[...profiles.keys()].join(', ')})`);
  return profile;
}

/** A manifest written as YAML text, with `variant` applied when it has one. */
export function pluginOf(text: string, index: number, variant: string | undefined): Plugin {
  const manifest = readPluginText(text, `plugin-${index}.yaml`);
  return manifest.build(variantOf(manifest, variant));
}

/** Runs one rule over one case and returns its reports in finding order. */
export function reportsFor(rule: RuleModule, testCase: TestCase, defaultProfile = 'v5.19'): RuleReport[] {
  const options = testCase.options === undefined ? [] : [testCase.options];
  const problem = ruleOptionsProblem(rule, options);
  if (problem) throw new Error(`RuleTester: invalid options for ${rule.name}: ${problem.pointer} ${problem.message}`);
  const profile = profileOf(testCase.profile ?? defaultProfile);
  const inputs = Array.isArray(testCase.plugins) ? testCase.plugins : [testCase.plugins];
  const plugins = inputs.map((input, i) => (typeof input === 'string' ? pluginOf(input, i, testCase.variant) : input));
  const allProfiles = [...builtinProfiles().values(), ...(builtinProfiles().has(profile.id) ? [] : [profile])];
  const check = buildCheck(profile, plugins, allProfiles);
  const reports = runRule(check, { id: rule.name, severity: 'error', module: rule, options });
  return reports.sort((a, b) => compareFindings(a.finding, b.finding));
}

function describeReports(reports: RuleReport[]): string {
  return reports.map((r) => `  ${r.messageId} [${r.finding.arch}] ${r.finding.message}`).join('\n') || '  (none)';
}

/** How the reports of a case differ from what it expects, or undefined when they agree. */
export function mismatchOf(reports: RuleReport[], expected: readonly ExpectedReport[]): string | undefined {
  if (reports.length !== expected.length) return `expected ${expected.length} reports, got ${reports.length}:\n${describeReports(reports)}`;
  for (const [i, want] of expected.entries()) {
    const got = reports[i]!;
    const actual: Record<string, unknown> = {
      messageId: got.messageId,
      arch: got.finding.arch,
      file: got.finding.location?.file,
      line: got.finding.location?.line,
      column: got.finding.location?.column,
      severity: got.finding.severity,
    };
    for (const [key, value] of Object.entries(want)) {
      if (key === 'data') continue;
      if (actual[key] !== value) return `report ${i}: expected ${key} ${JSON.stringify(value)}, got ${JSON.stringify(actual[key])} (${got.finding.message})`;
    }
    for (const [key, value] of Object.entries(want.data ?? {})) {
      if (got.data[key] !== value)
        return `report ${i}: expected data.${key} ${JSON.stringify(value)}, got ${JSON.stringify(got.data[key])} (${got.finding.message})`;
    }
  }
  return undefined;
}

export class RuleTester {
  constructor(private readonly defaults: { profile?: string } = {}) {}

  run(name: string, rule: RuleModule, tests: { valid: TestCase[]; invalid: InvalidTestCase[] }): void {
    describe(name, () => {
      for (const testCase of tests.valid) {
        it(`valid: ${testCase.name}`, () => {
          expect(mismatchOf(reportsFor(rule, testCase, this.defaults.profile), [])).toBeUndefined();
        });
      }
      for (const testCase of tests.invalid) {
        it(`invalid: ${testCase.name}`, () => {
          expect(testCase.errors.length, 'an invalid case must expect at least one report').toBeGreaterThan(0);
          for (const { messageId } of testCase.errors) {
            expect(Object.keys(rule.meta.messages), `${rule.name} has no message "${messageId}"`).toContain(messageId);
          }
          expect(mismatchOf(reportsFor(rule, testCase, this.defaults.profile), testCase.errors)).toBeUndefined();
        });
      }
    });
  }
}

export interface CheckOptions {
  /** Plugin packages whose rules run besides the default set (@kvm-rules/rules), by path or name. */
  packages?: string[];
  /** Where package names are looked up: the package under test. Default: the working directory. */
  from?: string;
}

/**
 * Runs the default rule set, and the rules of `packages`, over plugins under a profile, as
 * `kvm-rules check` does: what a plugin's own tests assert about its arch.
 */
export async function checkPlugins(plugins: Plugin[], profileId: string, options: CheckOptions = {}): Promise<Finding[]> {
  const set = await loadWithDefaultRules(options.packages ?? [], options.from ?? process.cwd());
  return (await new Checker(set).check({ profile: profileIn(set, profileId), plugins })).findings;
}

/**
 * The findings about a plugin package's own archs (their manifests built for the profile's
 * kernel, with `variant` where they have it), from the default rule set and the package's own
 * rules. `dir` is the package folder, e.g. `new URL('..', import.meta.url)` from its test folder.
 */
export async function checkPluginPackage(dir: URL | string, profileId: string, options: { variant?: string } = {}): Promise<Finding[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const set = await loadWithDefaultRules([path], path);
  // The default rule set brings no manifests: every manifest of the set is the package's own,
  // and a variant named for them all applies to those that have it.
  const variants = set.manifests.flatMap((m) => (variantOf(m, options.variant) ? [`${m.base.id}=${options.variant}`] : []));
  const { findings } = await new Checker(set, { variants }).check({ profile: profileIn(set, profileId) });
  return findings.filter((finding) => finding.arch !== GENERIC_ARCH);
}

async function loadWithDefaultRules(specs: string[], from: string): Promise<PluginSet> {
  const packages = ['@kvm-rules/rules', ...specs].map((spec) => findPluginPackage(spec, from));
  return loadPluginSet(packages, { profiles: [...builtinProfiles().values()] });
}

function profileIn(set: PluginSet, profileId: string): Profile {
  return profileOf(profileId, new Map(set.profiles.map((p) => [p.id, p])));
}
