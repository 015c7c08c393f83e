// typescript-eslint's RuleCreator, which createRule() is built on. The build bundles this
// module with esbuild (scripts/bundle-rule-creator.mjs) into dist/rule-api/rule-creator.js:
// the three small files RuleCreator needs come along, and @typescript-eslint/utils (whose peer
// dependencies are eslint and typescript, some 35 MB) is not installed with kvm-rules.
export { RuleCreator } from '@typescript-eslint/utils/eslint-utils';
