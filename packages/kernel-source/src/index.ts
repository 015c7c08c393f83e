// The public API of @kvm-rules/kernel-source: read a Linux tree and derive each arch's KVM
// init ordering, hook dependencies and the generic ordering of kvm_init().
export { analyzeKernel, type AnalyzeOptions, type KernelAnalysis } from './analyze.js';
export { KernelTree, type SourceDiagnostic } from './kernel-tree.js';
export { KeptFiles } from './kept-files.js';
export { kernelReader } from './kernel-reader.js';
export { setupRoles, type ArchSource, type HookSource, type ModuleSource } from './derive.js';
// What the plugin scaffold (@kvm-rules/create-plugin) reads a tree with besides analyzeKernel().
export { GENERIC_DIR } from './generic.js';
export type { StateAccess, Reached } from './reach.js';
export type { InitFlow, InitStatement, FailurePoint as FlowFailurePoint, PathStep } from './init-flow.js';
export type { StatementUndo } from './unwinding.js';
export type { Place } from './function-facts.js';
