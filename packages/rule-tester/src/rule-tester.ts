// A RuleTester in the spirit of ESLint's: valid cases must give no report, invalid cases
// exactly the listed ones. Cases are small plugin manifests written inline as YAML.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildCheck } from './engine/check.js';
import { runRule, runRules, type RuleReport } from './engine/run-rules.js';
import { configureRules, loadProfiles, loadRuleFiles, readPluginManifest, ruleOptionsProblem } from './load/load.js';
import { validateSource } from './load/validate.js';
import { parseSourceText } from './load/yaml-source.js';
import { compareFindings, type Finding } from './model/finding.js';
import { pluginFromFile, type Plugin } from './model/plugin.js';
import { profileFromFile, type Profile } from './model/profile.js';
import type { RuleModule } from './rule-api/create-rule.js';
import { pluginSchema, profileSchema, type PluginFile, type ProfileFile } from './schemas/index.js';
import { builtinProfilesDir, builtinRulesDir } from './paths.js';

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
  /** Line of the finding's location. */
  line?: number;
}

export interface InvalidTestCase extends TestCase {
  errors: ExpectedReport[];
}

let loadedProfiles: Map<string, Profile> | undefined;

function builtinProfiles(): Map<string, Profile> {
  loadedProfiles ??= new Map(loadProfiles(builtinProfilesDir).map((p) => [p.id, p]));
  return loadedProfiles;
}

function builtinProfile(id: string): Profile {
  const profile = builtinProfiles().get(id);
  if (!profile) throw new Error(`RuleTester: unknown profile "${id}" (${[...builtinProfiles().keys()].join(', ')})`);
  return profile;
}

function profileOf(text: string): Profile {
  if (!text.includes('\n')) return builtinProfile(text);
  const source = parseSourceText(text, 'profile.yaml');
  return profileFromFile(validateSource<ProfileFile>(source, profileSchema), source);
}

export function pluginOf(text: string, index: number, variant: string | undefined): Plugin {
  const source = parseSourceText(text, `plugin-${index}.yaml`);
  const file = validateSource<PluginFile>(source, pluginSchema);
  const hasVariant = variant !== undefined && Object.hasOwn(file.variants ?? {}, variant);
  return pluginFromFile(file, source, hasVariant ? variant : undefined);
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

export class RuleTester {
  constructor(private readonly defaults: { profile?: string } = {}) {}

  run(name: string, rule: RuleModule, tests: { valid: TestCase[]; invalid: InvalidTestCase[] }): void {
    describe(name, () => {
      for (const testCase of tests.valid) {
        it(`valid: ${testCase.name}`, () => {
          const reports = reportsFor(rule, testCase, this.defaults.profile);
          expect(reports, `expected no reports, got:\n${describeReports(reports)}`).toHaveLength(0);
        });
      }
      for (const testCase of tests.invalid) {
        it(`invalid: ${testCase.name}`, () => {
          expect(testCase.errors.length, 'an invalid case must expect at least one report').toBeGreaterThan(0);
          const reports = reportsFor(rule, testCase, this.defaults.profile);
          expect(reports.length, `expected ${testCase.errors.length} reports, got:\n${describeReports(reports)}`).toBe(
            testCase.errors.length,
          );
          testCase.errors.forEach((expected, i) => {
            const actual = reports[i]!;
            expect(actual.messageId, `report ${i}: ${actual.finding.message}`).toBe(expected.messageId);
            if (expected.arch !== undefined) expect(actual.finding.arch).toBe(expected.arch);
            if (expected.line !== undefined) expect(actual.finding.location?.line).toBe(expected.line);
            if (expected.data) expect(actual.data).toMatchObject(expected.data);
          });
        });
      }
    });
  }
}

/**
 * Runs the default rule set over plugins under a built-in profile, as `kvm-rules check`
 * does: what a plugin's own tests assert about its arch.
 */
export function checkPlugins(plugins: Plugin[], profileId: string): Finding[] {
  const profile = builtinProfile(profileId);
  const rules = configureRules(loadRuleFiles(builtinRulesDir));
  return runRules(buildCheck(profile, plugins, [...builtinProfiles().values()]), rules);
}

/** The findings about one plugin manifest (given as a file URL, e.g. `new URL('../plugin.yaml', import.meta.url)`). */
export function checkManifest(manifest: URL, profileId: string, variant?: string): Finding[] {
  const plugin = readPluginManifest(fileURLToPath(manifest)).build(variant, builtinProfile(profileId).kernel);
  return checkPlugins([plugin], profileId).filter((finding) => finding.arch === plugin.id);
}
