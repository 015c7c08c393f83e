// The default rule set's rule kinds (rule files pick one with `kind:`), exported the way every
// plugin package exports its kinds: the array `kinds`, named in package.json "kvm-rules".kinds.
import { usePrecompiledValidators, type RuleModule } from '@kvm-rules/core';
import hookStateInitialized from './hook-state-initialized.js';
import integrity from './integrity.js';
import kvmInitLast from './kvm-init-last.js';
import noUnusedHook from './no-unused-hook.js';
import pluginDrift from './plugin-drift.js';
import readBeforeSettled from './read-before-settled.js';
import sourceAnalysis from './source-analysis.js';
import unwindOnFailure from './unwind-on-failure.js';

export const kinds: readonly RuleModule[] = [
  hookStateInitialized,
  readBeforeSettled,
  kvmInitLast,
  unwindOnFailure,
  noUnusedHook,
  integrity,
  pluginDrift,
  sourceAnalysis,
];

// The kinds' options schemas are compiled at build time (dist/validators.cjs), so that loading
// the rule files does not load the ajv compiler.
usePrecompiledValidators(new URL('./validators.cjs', import.meta.url));
