// typescript-eslint's RuleCreator, which createRule() is built on. The build bundles this
// module with esbuild (scripts/bundle-rule-creator.mjs) into dist/rule-api/rule-creator.js:
// the three small files RuleCreator needs come along, and @typescript-eslint/utils (whose peer
// dependencies are eslint and typescript, some 35 MB) is not installed with kvm-rules.
import { RuleCreator as ESLintRuleCreator } from '@typescript-eslint/utils/eslint-utils';
import type { RuleContext, RuleListener, RuleMetaData, RuleModule } from './create-rule.js';

/** A rule kind as RuleCreator is given it: default options in meta, options typed by the kind (see createRule()). */
export interface TimelineRule {
  name: string;
  meta: RuleMetaData<string> & { defaultOptions?: readonly unknown[] };
  create(context: RuleContext<string, readonly unknown[]>, options: readonly unknown[]): RuleListener;
}

/**
 * RuleCreator as the engine calls it. What it does knows nothing of nodes: it sets meta.docs.url
 * from the name and merges the options over meta.defaultOptions before create() sees them. Its
 * types are ESLint's (AST nodes, SourceCode in the context); here they are the engine's, once.
 */
export const RuleCreator = ESLintRuleCreator as unknown as (urlCreator: (name: string) => string) => (rule: TimelineRule) => RuleModule;
