// Bugs found once in src/, each kept as a test of the behaviour that is right.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '@kvm-rules/core';
import { assert, describe, expect, it } from 'vitest';
import { indexFile } from '../src/file-index.js';
import { entry, reach, stateAccesses } from '../src/reach.js';
import type { Scope } from '../src/scope.js';
import { checkDemo, checkKernel, copyFixture, demoTree, factsIn, scopeOf, treeWith } from './helpers.js';

/** A demo file: `prelude`, then `static int __init demo_init(void)` declaring `int r;` and doing `body`, and its module_init(). */
function moduleInit(prelude: string[], body: string[]): string {
  return [...prelude, 'static int __init demo_init(void)', '{', '\tint r;', '', ...body, '}', 'module_init(demo_init);', ''].join('\n');
}

/** The scope of a demoTree() holding `demo`, as the demo arch's analysis has it. */
async function demoScope(demo: string): Promise<Scope> {
  return (await scopeOf(demoTree(demo), 'arch/demo/kvm/')).scope;
}

/** The unwind-on-failure findings among a check's. */
function unwindFindings(findings: Finding[]): Finding[] {
  return findings.filter((f) => f.ruleId === 'unwind-on-failure');
}

describe('regressions', () => {
  it('a hook reading a per-CPU list through this_cpu_ptr(&list) reads it (recordCall: this_cpu_ptr() only computes an address)', async () => {
    // late-percpu, with the hardware-disable helper walking this CPU's list through
    // this_cpu_ptr(&demo_loaded_vmcss) instead of &per_cpu(demo_loaded_vmcss, cpu).
    const dir = copyFixture('late-percpu');
    const vmx = join(dir, 'arch/demox/kvm/vmx/vmx.c');
    const text = readFileSync(vmx, 'utf8');
    const changed = text.replace('&per_cpu(demo_loaded_vmcss, cpu),', 'this_cpu_ptr(&demo_loaded_vmcss),');
    expect(changed).not.toBe(text);
    writeFileSync(vmx, changed);
    const { findings } = await checkKernel(dir, { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] });
    // this_cpu_ptr()/per_cpu_ptr() only compute an address; had they counted as writes,
    // derivedHook() would drop the list as "the hook sets it itself".
    const hookState = findings.filter((f) => f.ruleId === 'hook-state-initialized');
    expect(hookState.map((f) => f.location?.file)).toEqual(['arch/demox/kvm/vmx/vmx.c']);
    expect(hookState[0]!.message).toContain('reads demo_loaded_vmcss through demo_vmx_hardware_disable() → demo_vmclear_loaded_vmcss()');
  });

  it('a per-CPU variable named like its type (arm64: DEFINE_PER_CPU(struct kvm_host_data, kvm_host_data)) is located at the name, not at the type', () => {
    const line = 'static DEFINE_PER_CPU(struct demo_host_data, demo_host_data);';
    const index = indexFile('arch/demo/kvm/demo.c', `${line}\n`);
    expect(index.variables).toEqual([
      expect.objectContaining({ name: 'demo_host_data', kind: 'per-cpu', line: 1, column: line.lastIndexOf('demo_host_data') + 1 }),
    ]);
  });

  it('writes through a local pointer into per-CPU state are writes of that state (svm_data: sd = per_cpu_ptr(&svm_data, cpu))', async () => {
    const scope = await demoScope(
      [
        'static DEFINE_PER_CPU(struct demo_cpu_data, demo_data);',
        '',
        'static void demo_cpu_init(int cpu)',
        '{',
        '\tstruct demo_cpu_data *sd = per_cpu_ptr(&demo_data, cpu);',
        '',
        '\tmemset(sd, 0, sizeof(*sd));',
        '\tsd->save_area = demo_alloc_page();',
        '}',
        '',
      ].join('\n'),
    );
    const facts = factsIn(scope, 'demo_cpu_init');
    expect(facts.refs.filter((r) => r.write).map((r) => `${r.name}@${r.place.line}`)).toEqual(['demo_data@7', 'demo_data@8']);
  });

  it('a write through a pointer reads the pointer first (loongarch: this_cpu_ptr(vmcs)->last_vcpu = NULL needs vmcs allocated)', async () => {
    const scope = await demoScope(
      [
        'static struct demo_context __percpu *demo_ctx;',
        'static struct demo_ops *demo_ops;',
        'static DEFINE_PER_CPU(struct demo_cpu_data, demo_data);',
        '',
        'static void demo_enable(void)',
        '{',
        '\tthis_cpu_ptr(demo_ctx)->last_vcpu = NULL;',
        '\tdemo_ops->entry = NULL;',
        '\tthis_cpu_ptr(&demo_data)->flags = 0;',
        '\tper_cpu(demo_data, 0).flags = 0;',
        '}',
        '',
      ].join('\n'),
    );
    const facts = factsIn(scope, 'demo_enable');
    // The first access decides whether the hook depends on the state or sets it itself.
    const first = new Map<string, boolean>();
    for (const ref of facts.refs) if (!first.has(ref.name)) first.set(ref.name, ref.write);
    expect(Object.fromEntries(first)).toMatchObject({ demo_ctx: false, demo_ops: false, demo_data: true });
    // A pointer to per-CPU data is per-CPU state.
    expect(scope.variables.get('demo_ctx')?.kind).toBe('per-cpu');
    expect(scope.variables.get('demo_ops')?.kind).toBe('global');
  });

  it('names and member operators read from the parsed text match the nodes: spaces or a comment around `.` and `->`, and a tree with errors', async () => {
    const scope = await demoScope(
      [
        'static struct demo_caps demo_caps;',
        'static struct demo_ops *demo_ops;',
        '',
        'static void demo_setup(void)',
        '{',
        '\tdemo_caps . supported = 1;',
        '\tdemo_caps./* the mask */mask = 0;',
        '\tdemo_ops',
        '\t\t->entry = NULL;',
        '}',
        '',
        'static void demo_broken(void)',
        '{',
        '\tdemo_caps.mask = demo_ops + ;',
        '}',
        '',
      ].join('\n'),
    );
    const refsOf = (name: string) =>
      factsIn(scope, name).refs.map((r) => `${r.write ? 'write' : 'read'} ${r.name}${r.field ? `.${r.field}` : ''}@${r.place.line}`);
    expect(refsOf('demo_setup')).toEqual([
      'write demo_caps.supported@6',
      'read demo_caps.supported@6',
      'write demo_caps.mask@7',
      'read demo_caps.mask@7',
      'read demo_ops@8',
      'write demo_ops@8',
      'read demo_ops@8',
    ]);
    // tree-sitter fills the missing operand with a MISSING identifier: it spells nothing, it is not `;`.
    expect(refsOf('demo_broken').filter((ref) => !/^(?:read|write) demo_/.test(ref))).toEqual([]);
  });

  it('callbacks a module init runs on every CPU right away (on_each_cpu) count as its work', async () => {
    const { analysis } = await checkDemo(
      [
        'static DEFINE_PER_CPU(int, demo_ready);',
        '',
        'static void demo_setup_cpu(void *unused)',
        '{',
        '\tthis_cpu_write(demo_ready, 1);',
        '}',
        '',
        'static int __init demo_init(void)',
        '{',
        '\ton_each_cpu(demo_setup_cpu, NULL, 1);',
        '\treturn kvm_init();',
        '}',
        'module_init(demo_init);',
        '',
      ].join('\n'),
    );
    const [setup] = analysis.sources[0]!.modules[0]!.statements;
    expect(setup?.writes.map((w) => `${w.state} via ${w.chain.map((n) => n.def.name).join(' > ')}`)).toEqual(['demo_ready via demo_setup_cpu']);
  });

  it("an ops field the module leaves empty does not resolve to a sibling module's function", async () => {
    const dir = treeWith({
      'virt/kvm/kvm_main.c': 'int kvm_init(void)\n{\n\treturn 0;\n}\n',
      'arch/demo/kvm/a/a.c': 'static void a_enable(void)\n{\n}\n\nstatic struct demo_ops a_ops = {\n\t.enable = a_enable,\n};\n',
      'arch/demo/kvm/b/b.c': 'static void b_blocking(void)\n{\n}\n\nstatic struct demo_ops b_ops = {\n\t.blocking = b_blocking,\n};\n',
      'arch/demo/kvm/common.c': 'static void common_blocking(void)\n{\n}\n\nstatic struct demo_ops common_ops = {\n\t.blocking = common_blocking,\n};\n',
    });
    const { scope } = await scopeOf(dir, 'arch/demo/kvm/a/');
    expect(scope.fieldTargets('enable').map((t) => t.def.name)).toEqual(['a_enable']);
    expect(scope.fieldTargets('blocking').map((t) => t.def.name)).toEqual(['common_blocking']);
  });

  it('a call that closes what an earlier call opened (preempt_enable() after preempt_disable()) sets nothing up; an enable with no disable before it does', async () => {
    const findingsWith = async (before: string[]) => {
      const { findings } = await checkDemo(
        moduleInit(
          [
            'static bool demo_on;',
            '',
            'void demo_feature_enable(void)',
            '{',
            '\tdemo_on = true;',
            '}',
            '',
            'void demo_feature_disable(void)',
            '{',
            '\tdemo_on = false;',
            '}',
            '',
            'static int demo_register(void)',
            '{',
            '\treturn -ENODEV;',
            '}',
            '',
          ],
          [...before, '\tr = demo_register();', '\tif (r)', '\t\treturn r;', '\treturn kvm_init();'],
        ),
      );
      return unwindFindings(findings).map((f) => f.message);
    };
    expect(await findingsWith(['\tpreempt_disable();', '\tdemo_feature_disable();', '\tdemo_feature_enable();', '\tpreempt_enable();', ''])).toEqual([]);
    expect(await findingsWith(['\tdemo_feature_enable();', ''])).toEqual([
      expect.stringMatching(
        /^demo_init\(\): demo_register\(\) can fail, but its failure path does not undo demo_feature_enable\(\): .*call demo_feature_disable\(\)/,
      ),
    ]);
  });

  it('an undo under `if (r && x)` on a path where x is known true runs whenever r failed; under `if (r && !x)` it does not', async () => {
    const findingsWith = async (undoTest: string) => {
      const { findings } = await checkDemo(
        moduleInit(
          ['static int nested = 1;', 'static struct miscdevice demo_dev;', ''],
          [
            '\tif (nested) {',
            '\t\tr = misc_register(&demo_dev);',
            '\t\tif (r)',
            '\t\t\treturn r;',
            '\t}',
            '',
            '\tr = kvm_init();',
            `\tif (${undoTest})`,
            '\t\tmisc_deregister(&demo_dev);',
            '\treturn r;',
          ],
        ),
      );
      return unwindFindings(findings).map((f) => f.message);
    };
    expect(await findingsWith('r && nested')).toEqual([]);
    expect(await findingsWith('r && !nested')).toEqual([
      expect.stringMatching(
        /^demo_init\(\): kvm_init\(\) can fail, but its failure path does not undo misc_register\(\): demo_dev stays set up; call misc_deregister\(\)/,
      ),
    ]);
  });

  it('a failure path that returns success loses the error: after unwinding, or skipping kvm_init(); an optional step dropped after kvm_init() does not', async () => {
    const lost = async (body: string[]) => {
      const { findings } = await checkDemo(
        moduleInit(['static struct miscdevice demo_dev;', '', 'static int demo_probe(void)', '{', '\treturn -ENODEV;', '}', ''], [...body]),
      );
      return unwindFindings(findings).map((f) => `${f.location?.line} ${f.message}`);
    };
    const unwinding = [
      '\tr = misc_register(&demo_dev);',
      '\tif (r)',
      '\t\treturn r;',
      '\tr = kvm_init();',
      '\tif (r)',
      '\t\tgoto err;',
      '\treturn 0;',
      'err:',
      '\tmisc_deregister(&demo_dev);',
    ];
    expect(await lost([...unwinding, '\treturn r;'])).toEqual([]);
    expect(await lost([...unwinding, '\treturn 0;'])).toEqual([
      '21 demo_init(): kvm_init() can fail, but its failure path returns success at `return 0;`: the error is lost, and the caller takes the init for done; return the error',
    ]);
    expect(await lost(['\tr = demo_probe();', '\tif (r) {', '\t\tpr_info("no demo\\n");', '\t\treturn 0;', '\t}', '\treturn kvm_init();'])).toEqual([
      '15 demo_init(): demo_probe() can fail, but its failure path returns success at `return 0;`: the error is lost, and the caller takes the init for done; return the error',
    ]);
    expect(
      await lost(['\tr = kvm_init();', '\tif (r)', '\t\treturn r;', '\tr = demo_probe();', '\tif (r)', '\t\tpr_info("no demo\\n");', '\treturn 0;']),
    ).toEqual([]);
  });

  it('a write through a pointer is a write of what it points at: it initializes the pointer for no one', async () => {
    const scope = await demoScope(
      [
        'struct demo_msrs {',
        '\tint registered;',
        '};',
        'static struct demo_msrs __percpu *demo_msrs;',
        'static int demo_flag;',
        '',
        'static void demo_cpu_online(void)',
        '{',
        '\tthis_cpu_ptr(demo_msrs)->registered = 0;',
        '\tdemo_flag = 1;',
        '}',
        '',
      ].join('\n'),
    );
    const definition = scope.definition('demo_cpu_online');
    assert(definition, 'demo_cpu_online() defined');
    const reached = reach(scope, [entry(definition)]);
    expect([...stateAccesses(scope, reached, 'write').keys()].sort()).toEqual(['demo_flag', 'demo_msrs']);
    expect([...stateAccesses(scope, reached, 'initialize').keys()]).toEqual(['demo_flag']);
    expect([...stateAccesses(scope, reached, 'any').values()].filter((a) => !a.write).map((a) => a.state)).toEqual(['demo_msrs']);
  });

  it('WRITE_ONCE(x, v) and smp_store_release(&y, v) are stores of x and y, not calls; a call in the value still is one', async () => {
    const scope = await demoScope(
      [
        'static bool demo_ready;',
        'static int demo_gen;',
        '',
        'static void demo_publish(void)',
        '{',
        '\tWRITE_ONCE(demo_ready, true);',
        '\tsmp_store_release(&demo_gen, demo_next_gen());',
        '}',
        '',
      ].join('\n'),
    );
    const facts = factsIn(scope, 'demo_publish');
    expect(facts.calls.map((c) => (c.callee.kind === 'direct' ? c.callee.name : c.callee.field))).toEqual(['demo_next_gen']);
    expect(facts.refs.filter((r) => r.write).map((r) => `${r.name}${r.constant ? ' (constant)' : ''}`)).toEqual(['demo_ready (constant)', 'demo_gen']);
  });

  it('a lock released after kvm_init() is no work after kvm_init(); a store is', async () => {
    const { findings } = await checkDemo(
      moduleInit(
        ['static DEFINE_MUTEX(demo_lock);', 'static bool demo_ready;', ''],
        ['\tmutex_lock(&demo_lock);', '\tr = kvm_init();', '\tmutex_unlock(&demo_lock);', '\tdemo_ready = true;', '\treturn r;'],
      ),
    );
    const late = findings.filter((f) => f.ruleId === 'kvm-init-last').map((f) => f.message);
    expect(late).toEqual([expect.stringMatching(/^demo_init\(\) does work after kvm_init\(\): "demo_ready";/)]);
  });
});
