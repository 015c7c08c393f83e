import {
  AFTER_MODULE_INIT,
  type Check,
  createRule,
  GENERIC_ARCH,
  KVM_INIT,
  type Location,
  type Plugin,
  type Profile,
  type ReportDescriptor,
} from '@kvm-rules/core';

type MessageIds = 'duplicateId' | 'unknownState' | 'unknownHook' | 'unknownPhase' | 'unwindsLater' | 'kvmInitCount' | 'unknownStep';
type Report = (arch: string, location: Location, messageId: MessageIds, data: ReportDescriptor<MessageIds>['data']) => void;

function duplicates(ids: string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

function checkPlugin(plugin: Plugin, check: Check, report: Report): void {
  const knownState = (name: string) => plugin.state.has(name) || check.profile.state.has(name);
  const stateRef = (name: string, location: Location, where: string) => {
    if (!knownState(name)) report(plugin.id, location, 'unknownState', { name, where, file: plugin.file });
  };
  for (const module of plugin.modules) {
    const ids = module.phases.map((p) => p.id);
    for (const id of duplicates(ids)) report(plugin.id, module.location, 'duplicateId', { what: 'phase', id, where: `${module.init}()` });
    const kvmInitCalls = module.phases.filter((p) => p.call === KVM_INIT).length;
    if (kvmInitCalls !== 1) report(plugin.id, module.location, 'kvmInitCount', { init: module.init, count: kvmInitCalls });
    module.phases.forEach((phase, index) => {
      for (const name of [...phase.initializes, ...phase.registers]) stateRef(name, phase.location, `phase "${phase.id}"`);
      for (const target of phase.unwinds) {
        const location = phase.unwindLocations.get(target) ?? phase.location;
        const targetIndex = ids.indexOf(target);
        if (targetIndex < 0) report(plugin.id, location, 'unknownPhase', { id: target, phase: phase.id, init: module.init });
        else if (targetIndex >= index) report(plugin.id, location, 'unwindsLater', { id: target, phase: phase.id });
      }
    });
  }
  for (const hook of plugin.hooks.values()) {
    if (!check.knownRoles.has(hook.role)) {
      report(plugin.id, hook.location, 'unknownHook', { role: hook.role, known: [...check.knownRoles].sort().join(', ') });
    }
    for (const requirement of hook.requires) stateRef(requirement.state, requirement.location, `the ${hook.role} hook`);
    for (const name of hook.initializes) stateRef(name, hook.location, `the ${hook.role} hook`);
  }
}

function checkProfile(profile: Profile, report: Report): void {
  const stepIds = profile.kvmInit.map((s) => s.id);
  for (const id of duplicates(stepIds)) report(GENERIC_ARCH, profile.location, 'duplicateId', { what: 'kvm_init() step', id, where: profile.id });
  for (const id of duplicates(profile.lifecycle.map((e) => e.id))) {
    report(GENERIC_ARCH, profile.location, 'duplicateId', { what: 'lifecycle event', id, where: profile.id });
  }
  const known = [...profile.hooks.keys()].sort().join(', ');
  for (const step of profile.kvmInit) {
    for (const call of [...step.calls, ...step.rollback]) {
      if (!profile.hooks.has(call.role)) report(GENERIC_ARCH, call.location, 'unknownHook', { role: call.role, known });
    }
    for (const name of step.initializes) {
      if (!profile.state.has(name)) report(GENERIC_ARCH, step.location, 'unknownState', { name, where: `step "${step.id}"`, file: profile.file });
    }
  }
  for (const event of profile.lifecycle) {
    if (event.from !== AFTER_MODULE_INIT && !stepIds.includes(event.from)) {
      report(GENERIC_ARCH, event.location, 'unknownStep', { from: event.from, event: event.id });
    }
    for (const call of event.calls) {
      if (!profile.hooks.has(call.role)) report(GENERIC_ARCH, call.location, 'unknownHook', { role: call.role, known });
    }
  }
}

export default createRule<[], MessageIds>({
  name: 'integrity',
  meta: {
    type: 'problem',
    docs: {
      description: 'Plugins and profiles refer only to state, hooks and phases that exist, and their ids are unique.',
      recommended: true,
    },
    messages: {
      duplicateId: 'duplicate {{what}} id "{{id}}" in {{where}}',
      unknownState: '{{where}} refers to state "{{name}}", which is not in the state catalog of {{file}} nor of the profile',
      unknownHook: 'unknown hook role "{{role}}" (known roles: {{known}})',
      unknownPhase: 'phase "{{phase}}" unwinds "{{id}}", which is not a phase of {{init}}()',
      unwindsLater: 'phase "{{phase}}" unwinds "{{id}}", which does not come before it',
      kvmInitCount: '{{init}}() must have exactly one phase that calls kvm_init(); it has {{count}}',
      unknownStep: 'lifecycle event "{{event}}" starts from "{{from}}", which is neither a kvm_init() step nor "module-init"',
    },
    schema: [],
    defaultOptions: [],
  },
  create(context) {
    return {
      Check(check) {
        const report: Report = (arch, location, messageId, data) => {
          context.report({ node: check, arch, location, messageId, ...(data ? { data } : {}) });
        };
        checkProfile(check.profile, report);
        for (const plugin of check.plugins) checkPlugin(plugin, check, report);
      },
    };
  },
});
