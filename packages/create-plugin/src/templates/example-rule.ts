// The example rule a new plugin comes with, in the shape of every rule of kvm-rules: the kind
// (kinds.js, plain JavaScript with JSDoc types, so that the package needs no build step), the
// rule file that configures it, its RuleTester cases and its page. The page's opening is what
// ruleDocsHeader() makes of the kind's meta, so that the package's docs test passes as written.
import type { PluginNames } from '../names.js';

export const RULE_FILE_SCHEMA = './node_modules/@kvm-rules/core/schemas/rule-file.schema.json';

const DESCRIPTION = 'Every phase that registers a callback, notifier or device names its undo, so module exit and failure paths can be checked.';
const SEVERITY = 'warning';
/** Calls that register something whatever the manifest declares; phases read from a tree (--kernel) have only their call. */
const REGISTERING_CALLS = ['(^|_)register(_|$)', '^cpuhp_setup_state'];

export function kindsModule({ kind }: PluginNames): string {
  return `// @ts-check
// The rule kinds of this plugin: the array \`kinds\`, named in package.json "kvm-rules".kinds.
// A rule file in rules/ configures a kind (severity, options); docs/rules/<kind>.md documents it.
// Kind and rule ids are global across every loaded plugin, hence the plugin's name in front.
import { createRule } from '@kvm-rules/core';

/**
 * @typedef {object} RegistrationUndoOptions
 * @property {string[]} archs The arch ids to check; empty: every loaded arch.
 * @property {string[]} calls Regular expressions: a phase whose call matches registers something, declared or not.
 */

/** @type {[RegistrationUndoOptions]} */
const defaultOptions = [{ archs: [], calls: ${jsArray(REGISTERING_CALLS)} }];

const registrationUndo = createRule({
  name: '${kind}',
  meta: {
    type: 'problem',
    docs: {
      description: '${DESCRIPTION}',
    },
    messages: {
      noUndo: '{{init}}() phase "{{phase}}" registers {{what}} but names no undo; declare the call that unregisters it (undo:), so that module exit and failure paths can be checked',
    },
    schema: [
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          archs: { type: 'array', items: { type: 'string' }, description: 'The arch ids to check; empty: every loaded arch.' },
          calls: { type: 'array', items: { type: 'string' }, description: 'Calls that register something (regular expressions).' },
        },
      },
    ],
    defaultOptions,
  },
  create(context, [{ archs, calls }]) {
    const registering = calls.map((source) => new RegExp(source));
    // Timelines come one arch at a time, each followed by its events.
    let checked = false;
    return {
      Timeline(timeline) {
        checked = archs.length === 0 || archs.includes(timeline.arch);
      },
      Phase(event) {
        const { phase, module } = event;
        if (!checked || phase.undo !== undefined) return;
        const what = registered(phase, registering);
        if (what) context.report({ node: event, messageId: 'noUndo', data: { init: module.init, phase: phase.id, what } });
      },
    };
  },
});

/**
 * What a phase registers: what it declares, else what its call says.
 * @param {{ call: string, registers: string[] }} phase
 * @param {RegExp[]} registering
 * @returns {string | undefined}
 */
function registered(phase, registering) {
  if (phase.registers.length > 0) return phase.registers.join(', ');
  return registering.some((pattern) => pattern.test(phase.call)) ? \`through \${phase.call}()\` : undefined;
}

export const kinds = [registrationUndo];
`;
}

/** The rule that turns the kind on for this plugin's own arch. */
export function ruleFile({ id, kind }: PluginNames): string {
  return `# yaml-language-server: $schema=${RULE_FILE_SCHEMA}
id: ${kind}
kind: ${kind}
severity: ${SEVERITY}
summary: Every phase of ${id} that registers something names its undo.
options:
  # Only this plugin's arch: the kind would judge every loaded arch otherwise.
  archs: [${id}]
`;
}

/** RuleTester cases over demo manifests: one arch ("demo") whose first phase varies, kvm_init() last. */
export function ruleTest({ kind }: PluginNames): string {
  return `import { demoPlugin, KVM_INIT_PHASE, RuleTester } from '@kvm-rules/rule-tester';
import { kinds } from '../kinds.js';

const rule = kinds.find((kind) => kind.name === '${kind}');
if (!rule) throw new Error('kinds.js exports no ${kind}');

/** A demo arch whose module init runs \`phase\`, then kvm_init(). @param {string} phase */
const plugin = (phase) => demoPlugin({ phases: [phase, KVM_INIT_PHASE] });

new RuleTester({ profile: 'v6.12' }).run('${kind}', rule, {
  valid: [
    {
      name: 'a notifier registered with its undo',
      plugins: plugin('{ id: die-notifier, call: register_die_notifier, registers: [demo_die_notifier], undo: unregister_die_notifier, canFail: true }'),
    },
    { name: 'a phase that registers nothing', plugins: plugin('{ id: env-setup, call: demo_env_setup }') },
    {
      name: 'an arch the rule is not asked to check',
      plugins: plugin('{ id: die-notifier, call: register_die_notifier }'),
      options: { archs: ['other'] },
    },
  ],
  invalid: [
    {
      name: 'a declared registration without undo',
      plugins: plugin('{ id: ops, call: demo_alloc_ops, registers: [demo_ops] }'),
      errors: [{ messageId: 'noUndo', arch: 'demo', data: { init: 'demo_init', phase: 'ops', what: 'demo_ops' }, line: 8 }],
    },
    {
      name: 'a registering call without undo, nothing declared (as read from a tree)',
      plugins: plugin('{ id: die-notifier, call: register_die_notifier }'),
      options: { archs: ['demo'] },
      errors: [{ messageId: 'noUndo', data: { phase: 'die-notifier', what: 'through register_die_notifier()' } }],
    },
  ],
});
`;
}

/** The kind's page: the opening ruleDocsHeader() writes, then what it checks and its options. */
export function rulePage({ id, kind }: PluginNames): string {
  return `# ${kind}

${DESCRIPTION} Severity in this package's rules: **${SEVERITY}**.

## Rule details

A phase that registers something with the rest of the kernel (a notifier, a CPU hotplug
callback, a device, an ops table) leaves it registered when module init fails later or when
the module is unloaded, unless something unregisters it. Naming that call as the phase's
\`undo\` lets kvm-rules check that every later failure path runs it (\`unwind-on-failure\`).

A phase registers something when it declares \`registers\`, or when its call matches one of
\`calls\`: a phase that only the kernel tree has (read with \`--kernel\`) declares nothing.

Incorrect, in ${id}'s plugin.yaml:

\`\`\`yaml
- { id: die-notifier, call: register_die_notifier, registers: [kvm_die_notifier] }
\`\`\`

Correct:

\`\`\`yaml
- { id: die-notifier, call: register_die_notifier, registers: [kvm_die_notifier], undo: unregister_die_notifier }
\`\`\`

## Options

- \`archs\`: the arch ids to check; empty (the default) checks every loaded arch. The rule file
  of this package sets \`[${id}]\`.
- \`calls\`: regular expressions of calls that register something even when the phase declares
  no \`registers\`; default ${REGISTERING_CALLS.map((call) => `\`${call}\``).join(', ')}.
`;
}

/** Single-quoted, as the rest of the module is written. */
function jsArray(items: string[]): string {
  return `[${items.map((item) => `'${item.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}
