import type { Plugin, SourceFacts, SourceProblem } from '@kvm-rules/core';
import { pluginOf } from './rule-tester.js';

/** What a rule test varies in a one-module plugin; the rest is fixed (line 8 is the first phase). */
export interface DemoPlugin {
  id?: string;
  init?: string;
  /** One flow mapping per phase, in order, e.g. "{ id: kvm-init, call: kvm_init }". */
  phases: string[];
  /** The value of `hooks:`: a flow mapping, or a block starting with a newline. */
  hooks?: string;
  /** State catalog entries, e.g. "list: { summary: A list, kind: per-cpu }". */
  state?: string[];
}

export const KVM_INIT_PHASE = '{ id: kvm-init, call: kvm_init, canFail: true, undo: kvm_exit }';

/** A plugin manifest as YAML text, for RuleTester cases. */
export function demoPlugin({ id = 'demo', init = 'demo_init', phases, hooks = '{}', state = [] }: DemoPlugin): string {
  return [
    `id: ${id}`,
    'summary: Demo arch',
    'kernel: "5.19"',
    'modules:',
    `  - init: ${init}`,
    '    file: arch/demo/kvm/main.c',
    '    phases:',
    ...phases.map((phase) => `      - ${phase}`),
    `hooks:${hooks.startsWith('\n') ? hooks : ` ${hooks}`}`,
    state.length > 0 ? `state:\n${state.map((entry) => `  ${entry}`).join('\n')}` : 'state: {}',
    '',
  ].join('\n');
}

/**
 * A plugin as --kernel derives it: `derived` stands for what the tree has (its locations play
 * the kernel's), `declared` for what the manifest says for the tree's version.
 */
export function derivedPlugin(derived: DemoPlugin, declared?: DemoPlugin, problems: SourceProblem[] = []): Plugin {
  const plugin = pluginOf(demoPlugin(derived), 0, undefined);
  const source: SourceFacts = { problems, ...(declared ? { declared: pluginOf(demoPlugin(declared), 1, undefined) } : {}) };
  return { ...plugin, source };
}
