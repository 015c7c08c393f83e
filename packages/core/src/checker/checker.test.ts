// The Checker over a set made here (two demo archs, one rule kind that reports each phase), and
// a kernel reader that stands in for kernel-source: what a check reads, narrows and returns.
import { describe, expect, it } from 'vitest';
import { InputError } from '../load/input-error.js';
import { loadProfiles, readPluginText } from '../load/load.js';
import type { PluginSet } from '../load/plugin-set.js';
import type { Plugin } from '../model/plugin.js';
import { builtinProfilesDir } from '../paths.js';
import { createRule } from '../rule-api/create-rule.js';
import { Checker } from './checker.js';
import type { KernelReader, KernelReadRequest } from './kernel-reader.js';

const phaseSeen = createRule({
  name: 'phase-seen',
  meta: { type: 'problem', docs: { description: 'Reports every phase.' }, messages: { seen: 'phase {{id}}' }, schema: [], defaultOptions: [] },
  create(context) {
    return {
      Phase: (node) => {
        context.report({ node, messageId: 'seen', data: { id: node.phase.id } });
      },
    };
  },
});

function manifest(id: string): string {
  return `id: ${id}\nsummary: ${id}\nkernel: "6.12"\nmodules:\n  - init: ${id}_init\n    file: arch/${id}/kvm/main.c\n    phases:\n      - { id: ${id}-setup, call: ${id}_setup }\n      - { id: kvm-init, call: kvm_init, canFail: true, undo: kvm_exit }\nhooks: {}\nstate: {}\n`;
}

function demoSet(): PluginSet {
  return {
    packages: [],
    manifests: ['alpha', 'beta'].map((id) => readPluginText(manifest(id), `${id}.yaml`)),
    profiles: loadProfiles(builtinProfilesDir),
    kinds: new Map([['phase-seen', phaseSeen]]),
    rules: [],
    docsOf: () => undefined,
  };
}

const rules = [{ id: 'phase-seen', severity: 'error' as const, module: phaseSeen, options: [] }];
const seen = (findings: { arch: string; message: string }[]) => findings.map((f) => `${f.arch} ${f.message}`);

/** A reader of a tree that has what the manifests declare, recording what it was asked to read. */
function fakeReader(asked: KernelReadRequest[]): KernelReader {
  return {
    open: (dir) => ({
      root: `/trees/${dir}`,
      version: '6.12.7',
      inputs: { 'virt/kvm/kvm_main.c': 'hash' },
      analyze: (request) => {
        asked.push(request);
        request.onArch?.(request.plugins[0]!.id, 0, request.plugins.length);
        const profile = request.profiles.find((p) => p.id === 'v6.12');
        if (!profile) throw new Error('the reader was not given the v6.12 profile');
        return Promise.resolve({ profile, plugins: request.plugins, stats: { filesRead: 1, functionsParsed: 2 } });
      },
    }),
  };
}

describe('Checker over declarations', () => {
  it('runs the rules over every arch under the released profile of their kernel', async () => {
    const outcome = await new Checker(demoSet()).check({ rules });
    expect(outcome.profile.id).toBe('v6.12');
    expect(outcome.plugins.map((p) => p.id)).toEqual(['alpha', 'beta']);
    expect(seen(outcome.findings)).toEqual(['alpha phase alpha-setup', 'alpha phase kvm-init', 'beta phase beta-setup', 'beta phase kvm-init']);
    expect(outcome.kernel).toBeUndefined();
  });

  it('archs narrow what is reported, and plugins given are checked as they are', async () => {
    const checker = new Checker(demoSet(), { archs: ['beta'] });
    expect(seen((await checker.check({ rules })).findings)).toEqual(['beta phase beta-setup', 'beta phase kvm-init']);
    const given: Plugin = { ...checker.plugins[0]!, id: 'gamma' };
    expect(seen((await checker.check({ rules, plugins: [given], profile: 'v6.12' })).findings)).toEqual(['gamma phase beta-setup', 'gamma phase kvm-init']);
  });

  it('an unknown arch or profile is bad input, with the likely name', async () => {
    expect(() => new Checker(demoSet(), { archs: ['betta'] })).toThrow(new InputError('--arch: unknown arch "betta" (did you mean "beta"?)'));
    await expect(new Checker(demoSet()).check({ profile: 'v6.21' })).rejects.toThrow(/unknown profile "v6.21" \(did you mean "v6.12"\?\)/);
  });
});

describe('Checker over a kernel tree, through a KernelReader', () => {
  it('reads every arch, reports the selected ones, and returns the tree, its modules, stats and inputs', async () => {
    const asked: KernelReadRequest[] = [];
    const events: string[] = [];
    const checker = new Checker(demoSet(), { archs: ['alpha'], kernelReader: fakeReader(asked) });
    const outcome = await checker.check({ kernel: 'linux', rules, onReading: (v) => events.push(`reading ${v}`), onArch: (arch) => events.push(arch) });
    expect(asked[0]!.plugins.map((p) => p.id)).toEqual(['alpha', 'beta']);
    expect(events).toEqual(['reading 6.12.7', 'alpha']);
    expect(seen(outcome.findings)).toEqual(['alpha phase alpha-setup', 'alpha phase kvm-init']);
    expect(outcome.kernel).toEqual({
      root: '/trees/linux',
      version: '6.12.7',
      modules: [{ arch: 'alpha', init: 'alpha_init', file: 'arch/alpha/kvm/main.c' }],
    });
    expect(outcome.stats).toEqual({ filesRead: 1, functionsParsed: 2 });
    expect(outcome.inputs).toEqual({ 'virt/kvm/kvm_main.c': 'hash' });
  });

  it('needs a reader to read a tree, and takes plugins or a tree, not both', async () => {
    await expect(new Checker(demoSet()).check({ kernel: 'linux' })).rejects.toThrow(/needs a kernelReader/);
    const checker = new Checker(demoSet(), { kernelReader: fakeReader([]) });
    await expect(checker.check({ kernel: 'linux', plugins: checker.plugins })).rejects.toThrow(/not both/);
  });
});
