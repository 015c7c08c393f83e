import { createRule, type HookImplementation, type ModuleInit, type Plugin, type RelatedLocation, type ReportDescriptor } from '@kvm-rules/core';
import { callText } from './describe.js';

type MessageIds = 'moduleMissing' | 'phaseMissing' | 'phaseOrder' | 'hookUndeclared' | 'implMissing' | 'dependencyUndeclared';
type Report = (descriptor: Omit<ReportDescriptor<MessageIds>, 'node'>) => void;

const here = (message: string, location: RelatedLocation['location']): RelatedLocation => ({ message, location });

/** Declared phases must appear among the source's statements, by call, in the declared order. */
function comparePhases(declared: ModuleInit, derived: ModuleInit, report: Report): void {
  const calls = derived.phases.map((p) => p.call);
  let from = 0;
  let previous: string | undefined;
  for (const phase of declared.phases) {
    const at = calls.indexOf(phase.call, from);
    if (at !== -1) {
      from = at + 1;
      previous = phase.id;
      continue;
    }
    const earlier = calls.indexOf(phase.call);
    const data = { phase: phase.id, call: callText(phase), init: derived.init, file: derived.file, previous: previous ?? '' };
    const declaredHere = here(`phase "${phase.id}" is declared here`, phase.location);
    if (earlier === -1) {
      report({ location: derived.location, messageId: 'phaseMissing', data, related: [declaredHere] });
    } else {
      report({ location: derived.phases[earlier]!.location, messageId: 'phaseOrder', data, related: [declaredHere] });
    }
  }
}

function compareHook(declared: HookImplementation | undefined, derived: HookImplementation, plugin: Plugin, report: Report): void {
  const data = { role: derived.role, name: derived.impl, file: `${derived.location.file}:${derived.location.line}` };
  if (!declared) {
    report({ location: derived.location, messageId: 'hookUndeclared', data, related: [here(`the plugin ${plugin.id} is declared here`, plugin.location)] });
    return;
  }
  const declaredHere = here(`the ${declared.role} hook is declared here`, declared.location);
  const reaches = new Set([derived.impl, ...(derived.reaches ?? [])]);
  if (!declared.noop && !reaches.has(declared.impl)) {
    report({ location: derived.location, messageId: 'implMissing', data: { ...data, impl: declared.impl }, related: [declaredHere] });
  }
  const declaredStates = new Set(declared.requires.map((r) => r.state));
  for (const requirement of derived.requires.filter((r) => !declaredStates.has(r.state))) {
    report({
      location: requirement.location,
      messageId: 'dependencyUndeclared',
      data: { ...data, state: requirement.state, via: requirement.via.map((f) => `${f}()`).join(' → ') || `${derived.impl}()` },
      related: [declaredHere, ...(requirement.chain ?? [])],
    });
  }
}

function comparePlugin(plugin: Plugin, declared: Plugin, report: Report): void {
  // A module file the tree could not give is a source-analysis error already; blaming the plugin too would mislead.
  const unread = new Set((plugin.source?.problems ?? []).filter((p) => p.severity === 'error').map((p) => p.location.file));
  for (const module of declared.modules) {
    const derived = plugin.modules.find((m) => m.init === module.init);
    if (!derived && unread.has(module.file)) continue;
    if (!derived) {
      const file = { file: module.file, line: 1, column: 1 };
      report({ location: file, messageId: 'moduleMissing', data: { init: module.init, file: module.file }, related: [here(`${module.init}() is declared here`, module.location)] });
      continue;
    }
    comparePhases(module, derived, report);
  }
  for (const hook of plugin.hooks.values()) compareHook(declared.hooks.get(hook.role), hook, declared, report);
}

export default createRule<[], MessageIds>({
  name: 'plugin-drift',
  meta: {
    type: 'suggestion',
    docs: {
      description: 'With --kernel, what a plugin declares for the tree\'s kernel version matches the source: its module inits, phases in order, hook implementations and the dependencies the code has.',
      recommended: true,
    },
    messages: {
      moduleMissing: 'the plugin declares module init {{init}}() in {{file}}, which the tree does not have; update `init`/`file`',
      phaseMissing: 'phase "{{phase}}" calls {{call}}, which {{init}}() in {{file}} does not do on its success path; remove the phase or fix its `call`',
      phaseOrder: 'phase "{{phase}}" ({{call}}) is declared after "{{previous}}", but {{init}}() calls it before; reorder the phases as the source has them',
      hookUndeclared: 'the tree implements the {{role}} hook as {{name}}() ({{file}}), which the plugin does not declare; add `hooks: {{role}}: { impl: … }`',
      implMissing: 'the {{role}} hook is declared as {{impl}}(), which {{name}}() ({{file}}) never reaches; fix `impl`',
      dependencyUndeclared: 'the {{role}} hook reads {{state}} through {{via}}, and init code writes it, but the plugin does not declare it; add `{{state}}` to the hook\'s `requires`',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    return {
      Check(check) {
        for (const plugin of check.plugins) {
          const declared = plugin.source?.declared;
          if (declared) comparePlugin(plugin, declared, (d) => context.report({ ...d, node: check, arch: plugin.id }));
        }
      },
    };
  },
});
