import type { RuleModule } from '../rule-api/create-rule.js';
import hookStateInitialized from './hook-state-initialized.js';
import integrity from './integrity.js';
import kvmInitLast from './kvm-init-last.js';
import noUnusedHook from './no-unused-hook.js';
import pluginDrift from './plugin-drift.js';
import sourceAnalysis from './source-analysis.js';
import unwindOnFailure from './unwind-on-failure.js';

/** The rule kinds, by name; rule files pick one with `kind:`. */
export const ruleKinds: ReadonlyMap<string, RuleModule> = new Map(
  [hookStateInitialized, kvmInitLast, unwindOnFailure, noUnusedHook, integrity, pluginDrift, sourceAnalysis].map((rule) => [rule.name, rule as unknown as RuleModule]),
);
