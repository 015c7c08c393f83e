// The public API of @kvm-rules/rule-tester: test rule kinds with valid and invalid cases, and
// check a plugin package's archs under a profile, from vitest.
export {
  RuleTester,
  reportsFor,
  mismatchOf,
  pluginOf,
  checkPlugins,
  checkPluginPackage,
  type TestCase,
  type InvalidTestCase,
  type ExpectedReport,
  type PluginInput,
  type CheckOptions,
} from './rule-tester.js';
export { demoPlugin, derivedPlugin, KVM_INIT_PHASE, type DemoPlugin } from './demo-plugin.js';
export { ruleDocsHeader, ruleDocsProblems, ruleDocsProblemsIn } from './rule-docs.js';
