// The public API of @kvm-rules/core: schemas, loaders, the timeline engine, the rule API.
export { builtinProfilesDir } from './paths.js';
export { holdYoungGeneration, preferBaselineWasm } from './v8-settings.js';
export { copyResolved } from './copy-resolved.js';
export * from './schemas/index.js';
/** Part of a rule kind's options schema: a written reason, as kvm-init-last's exceptions take. */
export { reason } from './schemas/common.js';
export { InputError, formatInputProblem, type InputPlace } from './load/input-error.js';
export { readSourceFile, parseSourceText, type SourceFile } from './load/yaml-source.js';
export { KeptStore } from './load/kept-store.js';
export { validateSource, schemaProblems, closestName, usePrecompiledValidators, type Problem, type Validated } from './load/validate.js';
export { AJV_OPTIONS, schemaKey } from './load/ajv-options.js';
export { displayPath, dataFilesIn } from './load/files.js';
export {
  loadProfile,
  loadProfiles,
  loadPlugin,
  readPluginManifest,
  readPluginText,
  readProfileText,
  type PluginManifest,
  loadRuleFile,
  loadRuleFiles,
  configureRules,
  ruleOptionsProblem,
  uniqueById,
  type RuleDefinition,
} from './load/load.js';
export type { Location } from './model/location.js';
export { compareText, formatLocation } from './model/location.js';
export {
  GENERIC_ARCH,
  compareFindings,
  fingerprintOf,
  sortFindings,
  summarize,
  type Finding,
  type FindingSeverity,
  type RelatedLocation,
} from './model/finding.js';
export type { Plugin, ModuleInit, Phase, HookImplementation, Requirement, SourceFacts, SourceProblem, StateUse, UndoPair } from './model/plugin.js';
export { declaredUnwinding } from './model/plugin.js';
export { describeStep, type FailurePoint, type SetUp, type UndoEvidence, type UndoEvidenceKind, type Unwinding } from './model/unwinding.js';
export { compareKernelVersions, closestKernelVersion, majorMinor } from './model/kernel-version.js';
export {
  AFTER_MODULE_INIT,
  type Profile,
  type ProfileHook,
  type KvmInitStep,
  type LifecycleEvent,
  type HookWindow,
  type StateDeclaration,
  type HookCallSpec,
} from './model/profile.js';
export {
  buildTimeline,
  describeTrigger,
  howItRuns,
  type HookRun,
  KVM_INIT,
  type Timeline,
  type TimelineEvent,
  type PhaseEvent,
  type KvmInitStepEvent,
  type HookCallEvent,
  type StateInitEvent,
  type ExposeEvent,
  type LifecycleTimelineEvent,
  type ModuleInitDoneEvent,
  type FailureEvent,
  type StateInitializer,
  type Trigger,
} from './engine/timeline.js';
export { buildCheck, type Check } from './engine/check.js';
export { Checker, type CheckerOptions, type CheckRequest, type CheckOutcome } from './checker/checker.js';
export type { KernelReader, KernelSource, KernelReadRequest, KernelReading, KernelModule } from './checker/kernel-reader.js';
export { chooseProfile, parseVariants, selectArchs, unknownNameHint, variantOf } from './checker/select.js';
export { runRules, runRule, type ConfiguredRule, type RuleReport } from './engine/run-rules.js';
// The rule API under typescript-eslint's names (RuleModule, RuleMetaData, RuleContext, RuleListener…).
export {
  createRule,
  ruleDocsUrl,
  type RuleModule,
  type RuleMetaData,
  type RuleMetaDataDocs,
  type RuleContext,
  type RuleListener,
  type RuleNode,
  type RuleNodeOfKind,
  type ReportDescriptor,
  type RuleWithMetaAndName,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- kept for the plugins that name it
  type TimelineListener,
} from './rule-api/create-rule.js';
export { applyBaseline, readBaseline, writeBaseline, baselineText, type BaselineEntry, type BaselineOutcome } from './baseline.js';
export { findPluginPackage, isPathSpec, pluginPackageName, readPluginPackage, importRuleKinds, type PluginPackage } from './load/plugin-package.js';
export { loadPluginSet, type PluginSet, type PluginSetOptions } from './load/plugin-set.js';
