import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../load/load.js';
import { validateSource } from '../load/validate.js';
import { parseSourceText } from '../load/yaml-source.js';
import { pluginFromFile } from '../load/plugin-from-file.js';
import { builtinProfilesDir } from '../paths.js';
import { pluginSchema } from '../schemas/index.js';
import { buildTimeline, type TimelineEvent } from './timeline.js';

// Early state before kvm_init(), late state after it, and state a setup hook initializes.
const source = parseSourceText(
  `id: demo
summary: Demo arch
kernel: "5.19"
modules:
  - init: demo_init
    file: arch/demo/kvm/main.c
    phases:
      - { id: early, call: demo_early, initializes: [early_state] }
      - { id: kvm-init, call: kvm_init }
      - { id: late, call: demo_late, initializes: [late_state] }
hooks:
  hardware-setup: { impl: demo_setup, initializes: [setup_state] }
  hardware-enable: { impl: demo_enable }
state:
  early_state: { summary: Early state, kind: global }
  late_state: { summary: Late state, kind: global }
  setup_state: { summary: Setup state, kind: global }
`,
  'demo.yaml',
);
const plugin = pluginFromFile(validateSource(source, pluginSchema), source);
const profiles = new Map(loadProfiles(builtinProfilesDir).map((p) => [p.id, p]));

function describeEvent(event: TimelineEvent): string {
  switch (event.kind) {
    case 'Phase':
      return `phase ${event.phase.id}`;
    case 'KvmInitStep':
      return `step ${event.step.id}`;
    case 'HookCall':
      return `${event.rollback ? 'rollback ' : ''}call ${event.name}`;
    case 'StateInit':
      return `init ${event.state}`;
    case 'Expose':
      return `expose ${event.what}`;
    case 'Lifecycle':
      return `lifecycle ${event.event.id}`;
    case 'ModuleInitDone':
      return 'module init done';
    case 'Failure':
      return `failure ${event.failure.failing?.step ?? event.failure.text}`;
  }
}

function timelineOf(id: string): string[] {
  const profile = profiles.get(id);
  if (!profile) throw new Error(`no built-in profile ${id}`);
  return buildTimeline(plugin, plugin.modules[0]!, profile).events.map(describeEvent);
}

describe('buildTimeline', () => {
  it('v5.19: hooks that enable hardware run only after module init', () => {
    const events = timelineOf('v5.19');
    expect(events.slice(0, 4)).toEqual(['init vm_list', 'phase early', 'init early_state', 'phase kvm-init']);
    expect(events.indexOf('call kvm_arch_hardware_enable')).toBeGreaterThan(events.indexOf('module init done'));
    expect(events.indexOf('init setup_state')).toBe(events.indexOf('call kvm_arch_hardware_setup') + 1);
    expect(events.indexOf('expose dev-kvm')).toBeLessThan(events.indexOf('phase late'));
  });

  it('tdx-v7: enable and disable run inside kvm_init(), before the arch phases after it', () => {
    const events = timelineOf('tdx-v7');
    const late = events.indexOf('init late_state');
    expect(events.indexOf('call kvm_arch_hardware_enable')).toBeLessThan(late);
    expect(events.indexOf('rollback call kvm_arch_hardware_disable')).toBeLessThan(events.indexOf('call kvm_arch_post_hardware_enable_setup'));
    expect(events.indexOf('call kvm_arch_hardware_disable')).toBeLessThan(late);
  });

  it('v6.12: lifecycle events are placed right after the step they start from', () => {
    const events = timelineOf('v6.12');
    const step = events.indexOf('step init-virtualization');
    const hotplug = events.indexOf('lifecycle cpu-hotplug');
    expect(hotplug).toBeGreaterThan(step);
    expect(hotplug).toBeLessThan(events.indexOf('step dev-kvm'));
    expect(events).not.toContain('call kvm_arch_hardware_setup');
  });
});
