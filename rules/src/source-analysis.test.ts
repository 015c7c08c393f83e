import type { SourceProblem } from '@kvm-rules/core';
import { derivedPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import rule from './source-analysis.js';

const tree = { phases: [KVM_INIT_PHASE] };
const problem = (severity: SourceProblem['severity'], file: string, line: number): SourceProblem => ({
  severity,
  message: `${file}: trouble on line ${line}`,
  location: { file, line, column: 1 },
});

new RuleTester().run('source-analysis', rule, {
  valid: [
    { name: 'a tree read without problems', plugins: derivedPlugin(tree, undefined, []) },
    {
      name: 'warnings are not reported when errors are asked for',
      plugins: derivedPlugin(tree, undefined, [problem('warning', 'arch/demo/kvm/main.c', 12)]),
      options: { problems: 'errors' },
    },
  ],
  invalid: [
    {
      name: 'an arch that cannot be analyzed',
      plugins: derivedPlugin(tree, undefined, [problem('error', 'arch/demo/kvm/main.c', 1)]),
      errors: [{ messageId: 'cannotAnalyze', arch: 'demo', line: 1 }],
    },
    {
      name: 'a part of a module init that could not be parsed, as a warning',
      plugins: derivedPlugin(tree, undefined, [problem('warning', 'arch/demo/kvm/main.c', 12)]),
      options: { problems: 'warnings' },
      errors: [{ messageId: 'partlyRead', arch: 'demo', line: 12 }],
    },
    {
      name: 'a problem in generic code is reported for the generic side',
      plugins: derivedPlugin(tree, undefined, [problem('error', 'virt/kvm/kvm_main.c', 40)]),
      errors: [{ messageId: 'cannotAnalyze', arch: 'generic', line: 40 }],
    },
  ],
});
