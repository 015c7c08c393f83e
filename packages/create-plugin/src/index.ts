// The public API of @kvm-rules/create-plugin, as ESLint has @eslint/create-config: a new arch
// plugin package, its manifest derived from a kernel tree or a frame to fill, with an example
// rule, its test and page, and a test of its findings (`kvm-rules new-plugin`).
export { createPlugin, type NewPluginOptions, type NewPluginResult } from './create-plugin.js';
export { scaffoldManifest, type ScaffoldOptions, type ScaffoldedManifest } from './scaffold-manifest.js';
// Where the new package's @kvm-rules dependencies come from: a release's ranges, or a checkout's packed tarballs.
export { checkoutOf, publishedPlan, VITEST_RANGE, type DependencyPlan } from './dependencies.js';
