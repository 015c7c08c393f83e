// The public API of @kvm-rules/kernel-source: read a Linux tree and derive each arch's KVM
// init ordering, hook dependencies and the generic ordering of kvm_init().
export { analyzeKernel, type AnalyzeOptions, type KernelAnalysis } from './analyze.js';
export { KernelTree, type SourceDiagnostic } from './kernel-tree.js';
export { kernelReader } from './kernel-reader.js';
export type { ArchSource, HookSource, ModuleSource } from './derive.js';
export type { StateAccess, Reached } from './reach.js';
export type { InitFlow, InitStatement, FailurePoint as FlowFailurePoint, PathStep } from './init-flow.js';
export type { StatementUndo } from './unwinding.js';
export type { Place } from './function-facts.js';
export { scaffoldManifest, type ScaffoldOptions, type ScaffoldedManifest } from './scaffold-manifest.js';
