import { createRule, type HookImplementation, type ModuleInit, type Phase, type Plugin, type RelatedLocation, type ReportDescriptor } from '@kvm-rules/core';
import { callText } from './describe.js';

type MessageIds =
  | 'moduleMissing'
  | 'phaseMissing'
  | 'phaseOrder'
  | 'hookUndeclared'
  | 'implMissing'
  | 'dependencyUndeclared'
  | 'undoUndeclared'
  | 'undoNotInSource'
  | 'undoDiffers'
  | 'registersNotInSource'
  | 'unwindsNotInSource'
  | 'unwindsUndeclared';
type Report = (descriptor: Omit<ReportDescriptor<MessageIds>, 'node'>) => void;

const here = (message: string, location: RelatedLocation['location']): RelatedLocation => ({ message, location });

/** Declared phases must appear among the source's statements, by call, in the declared order. */
function comparePhases(declared: ModuleInit, derived: ModuleInit, report: Report): void {
  const calls = derived.phases.map((p) => p.call);
  let from = 0;
  let previous: string | undefined;
  const matched = new Map<Phase, Phase>();
  for (const phase of declared.phases) {
    const at = calls.indexOf(phase.call, from);
    if (at !== -1) {
      from = at + 1;
      previous = phase.id;
      matched.set(phase, derived.phases[at]!);
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
  compareUnwinding(matched, derived, report);
}

/** What a matched phase sets up, what undoes it and what its failure path undoes, as declared and as the C has it. */
function compareUnwinding(matched: Map<Phase, Phase>, module: ModuleInit, report: Report): void {
  const declaredOf = new Map([...matched].map(([declared, derived]) => [derived.id, declared]));
  // An undo matters where a failure follows: a step set up when some failure point is reached.
  const beforeFailure = new Set((module.unwinding?.failures ?? []).flatMap((f) => [...f.missing.map((m) => m.step), ...f.undone.map((u) => u.setUp.step)]));
  for (const [declared, derived] of matched) {
    const data = {
      phase: declared.id,
      call: callText(derived),
      undo: declared.undo ?? '',
      derived: derived.undo ?? '',
      evidence: derived.undoEvidence?.text ?? '',
    };
    const declaredHere = [here(`phase "${declared.id}" is declared here`, declared.location)];
    const evidence = derived.undoEvidence?.location ? [here(`evidence: ${derived.undoEvidence.text}`, derived.undoEvidence.location)] : [];
    if (derived.undo && beforeFailure.has(derived.id) && !declared.undo && declared.registers.length === 0) {
      report({ location: derived.location, messageId: 'undoUndeclared', data, related: [...declaredHere, ...evidence] });
    } else if (declared.undo && !derived.undo) {
      report({ location: derived.location, messageId: 'undoNotInSource', data, related: declaredHere });
    } else if (declared.undo && derived.undo && !(derived.undoneBy ?? [derived.undo]).includes(declared.undo)) {
      report({ location: derived.location, messageId: 'undoDiffers', data, related: [...declaredHere, ...evidence] });
    }
    const registered = new Set([...derived.registers, ...derived.initializes]);
    const unknown = declared.registers.filter((name) => !registered.has(name));
    if (unknown.length > 0)
      report({ location: derived.location, messageId: 'registersNotInSource', data: { ...data, names: unknown.join(', ') }, related: declaredHere });
    // Unwinding, by the declared ids of the phases undone.
    const undoneInC = new Set(derived.unwinds.flatMap((id) => declaredOf.get(id)?.id ?? []));
    const missing = declared.unwinds.filter((id) => !undoneInC.has(id) && [...matched.keys()].some((p) => p.id === id));
    if (missing.length > 0)
      report({ location: derived.location, messageId: 'unwindsNotInSource', data: { ...data, names: missing.join(', ') }, related: declaredHere });
    const extra = [...undoneInC].filter((id) => !declared.unwinds.includes(id));
    if (extra.length > 0) {
      const at = derived.unwinds.map((id) => derived.unwindLocations.get(id)).find((l) => l !== undefined);
      report({
        location: derived.location,
        messageId: 'unwindsUndeclared',
        data: { ...data, names: extra.join(', ') },
        related: [...declaredHere, ...(at ? [here('the failure path undoes it here', at)] : [])],
      });
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
      report({
        location: file,
        messageId: 'moduleMissing',
        data: { init: module.init, file: module.file },
        related: [here(`${module.init}() is declared here`, module.location)],
      });
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
      description:
        "With --kernel, what a plugin declares for the tree's kernel version matches the source: its module inits, phases in order, what each phase sets up and what undoes it, what each failure path undoes, hook implementations and the dependencies the code has.",
      recommended: true,
    },
    messages: {
      moduleMissing: 'the plugin declares module init {{init}}() in {{file}}, which the tree does not have; update `init`/`file`',
      phaseMissing: 'phase "{{phase}}" calls {{call}}, which {{init}}() in {{file}} does not do on its success path; remove the phase or fix its `call`',
      phaseOrder: 'phase "{{phase}}" ({{call}}) is declared after "{{previous}}", but {{init}}() calls it before; reorder the phases as the source has them',
      hookUndeclared: 'the tree implements the {{role}} hook as {{name}}() ({{file}}), which the plugin does not declare; add `hooks: {{role}}: { impl: … }`',
      implMissing: 'the {{role}} hook is declared as {{impl}}(), which {{name}}() ({{file}}) never reaches; fix `impl`',
      dependencyUndeclared:
        "the {{role}} hook reads {{state}} through {{via}}, and init code writes it, but the plugin does not declare it; add `{{state}}` to the hook's `requires`",
      undoUndeclared:
        'phase "{{phase}}" ({{call}}) needs undoing on a later failure ({{evidence}}), but the plugin declares no `undo`; add `undo: {{derived}}`',
      undoNotInSource:
        'phase "{{phase}}" declares `undo: {{undo}}`, but nothing in the tree undoes {{call}} (no exit, failure path, allocation or undo of its name); remove `undo`',
      undoDiffers: 'phase "{{phase}}" declares `undo: {{undo}}`, but the tree undoes {{call}} with {{derived}}() ({{evidence}}); fix `undo`',
      registersNotInSource:
        'phase "{{phase}}" declares `registers: [{{names}}]`, but in the tree {{call}} neither writes {{names}} nor sets up anything of it that needs undoing; fix `registers`',
      unwindsNotInSource:
        'phase "{{phase}}" declares that its failure path undoes {{names}}, but in the tree it does not; fix `unwinds` (or the C: unwind-on-failure says what is left set up)',
      unwindsUndeclared: 'the failure path of phase "{{phase}}" ({{call}}) undoes {{names}} in the tree, which its `unwinds` does not list; add it',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return {
      Check(check) {
        for (const plugin of check.plugins) {
          const declared = plugin.source?.declared;
          if (!declared) continue;
          comparePlugin(plugin, declared, (d) => {
            context.report({ ...d, node: check, arch: plugin.id });
          });
        }
      },
    };
  },
});
