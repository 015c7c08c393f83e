// readInitFunction(): the statements of an init function on its success path, in order, with
// the ones that can fail and the calls their failure path makes.
import { describe, expect, it } from 'vitest';
import { readInitFunction, type InitStatement } from '../src/init-flow.js';
import { demoTree, fixture, scopeOf } from './helpers.js';

/** One line per statement: call (or text), line, flags, and the failure path's calls. */
function describeStatement(s: InitStatement): string {
  const flags = [s.conditional && 'conditional', s.loop && 'loop', s.canFail && 'can-fail'].filter(Boolean).join(',');
  const undo = s.undo.length > 0 ? ` undo[${s.undo.map((u) => `${u.call}@${u.place.line}`).join(' ')}]` : '';
  return `${s.call ?? s.text}@${s.place.line}${flags ? ` (${flags})` : ''}${undo}`;
}

async function initOf(dir: string, file: string, name: string) {
  const { tree, scope } = await scopeOf(dir, file.replace(/[^/]+$/, ''));
  const def = tree.index(file).functions.find((f) => f.name === name);
  if (!def) throw new Error(`no ${name}() in ${file}`);
  return { init: readInitFunction(scope, def), tree };
}

/** A tree whose arch/demo/kvm/demo.c holds `body` as the body of demo_init(). */
async function initFromBody(body: string) {
  const text = `// SPDX-License-Identifier: GPL-2.0-only\n#include <linux/kvm_host.h>\n\nstatic int demo_state;\n\nstatic int __init demo_init(void)\n{\n${body}}\nmodule_init(demo_init);\n`;
  return (await initOf(demoTree(text), 'arch/demo/kvm/demo.c', 'demo_init')).init.statements.map(describeStatement);
}

describe('readInitFunction on the fixtures', () => {
  it('late-percpu demo_vmx_init(): success path in order, goto unwinding as failure paths, the per-CPU loop after kvm_init()', async () => {
    const { init, tree } = await initOf(fixture('late-percpu'), 'arch/demox/kvm/vmx/vmx.c', 'demo_vmx_init');
    expect(init.statements.map(describeStatement)).toEqual([
      'demo_cpu_has_vmx@139 (can-fail)',
      'kvm_x86_vendor_init@142 (can-fail)',
      'demo_l1d_flush_setup@146 (can-fail) undo[kvm_x86_vendor_exit@166]',
      'kvm_init@150 (can-fail) undo[demo_vmx_cleanup@164 kvm_x86_vendor_exit@166]',
      'INIT_LIST_HEAD@156 (loop)',
      'demo_pi_init_cpu@158 (loop)',
    ]);
    expect(init.statements[4]!.facts.refs.filter((r) => r.write).map((r) => `${r.name}@${r.place.line}:${r.place.column}`)).toEqual([
      'demo_loaded_vmcss@156:27',
    ]);
    expect(init.statements[1]!.text).toBe('r = kvm_x86_vendor_init(&demo_vmx_init_ops);');
    expect(tree.diagnostics).toEqual([]);
  });

  it('ordered demo_mips_init(): `if (x) { ...; return -E...; }` and `if (err) { undo(); return err; }` branches', async () => {
    const { init } = await initOf(fixture('ordered'), 'arch/demom/kvm/mips.c', 'demo_mips_init');
    expect(init.statements.map(describeStatement)).toEqual([
      'demo_cpu_has_mmid@53 (can-fail) undo[pr_warn@54]',
      'demo_entry_setup@58 (can-fail)',
      'demo_emulation_init@62 (can-fail)',
      'INIT_LIST_HEAD@67 (loop)',
      'register_die_notifier@70 (can-fail)',
      'kvm_init@74 (can-fail) undo[unregister_die_notifier@76]',
    ]);
    expect(init.statements[2]!.facts.refs.filter((r) => r.write).map((r) => r.name)).toEqual(['demo_callbacks']);
  });

  it('partly-read demo_arm_init(): reads past the scoped_guard() tree-sitter cannot parse, and says where it stumbled', async () => {
    const { init, tree } = await initOf(fixture('partly-read'), 'arch/demoa/kvm/arm.c', 'demo_arm_init');
    expect(init.statements.map(describeStatement)).toEqual([
      'demo_has_virt@54 (can-fail) undo[kvm_info@55]',
      'scoped_guard@59',
      'demo_read_vmid_bits@60',
      'demo_init_vgic@63 (can-fail)',
      'kvm_init@67 (can-fail) undo[demo_teardown_vgic@76]',
      'demo_arm_initialised = true;@71',
    ]);
    expect(tree.diagnostics).toEqual([
      {
        place: { file: 'arch/demoa/kvm/arm.c', line: 59, column: 39 },
        message: 'tree-sitter could not parse part of demo_arm_init(); the analysis skips what it could not read there',
        severity: 'warning',
      },
    ]);
  });

  it('the fixture kvm_init(): its own success path, the unwind labels only as undo', async () => {
    const { init } = await initOf(fixture('late-percpu'), 'virt/kvm/kvm_main.c', 'kvm_init');
    expect(init.statements.map(describeStatement)).toEqual([
      'kmem_cache_create@139 (can-fail)',
      'kvm_irqfd_init@144 (can-fail) undo[kmem_cache_destroy@171]',
      'kvm_chardev_ops.owner = module;@148',
      'kvm_enable_virtualization@150 (can-fail) undo[kvm_irqfd_exit@169 kmem_cache_destroy@171]',
      'misc_register@158 (can-fail) undo[pr_err@160 kvm_disable_virtualization@167 kvm_irqfd_exit@169 kmem_cache_destroy@171]',
    ]);
  });
});

describe('readInitFunction on small bodies', () => {
  it('a loop without braces is still read: for_each_possible_cpu(cpu) INIT_LIST_HEAD(...);', async () => {
    const statements = await initFromBody(
      '\tint cpu;\n\n\tfor_each_possible_cpu(cpu)\n\t\tINIT_LIST_HEAD(&per_cpu(demo_lists, cpu));\n\n\tfor (cpu = 0; cpu < 4; cpu++)\n\t\tdemo_state |= demo_mask(cpu);\n\n\treturn kvm_init();\n',
    );
    expect(statements).toEqual(['INIT_LIST_HEAD@11 (loop)', 'demo_mask@14 (loop)', 'kvm_init@16 (can-fail)']);
  });

  it('a plain `if` is conditional init work, not a failure path; an #ifdef is conditional too', async () => {
    const statements = await initFromBody(
      '\tif (demo_has_feature())\n\t\tdemo_state = 1;\n\n#ifdef CONFIG_DEMO_DEBUG\n\tdemo_debugfs_init();\n#endif\n\n\treturn kvm_init();\n',
    );
    expect(statements).toEqual(['demo_has_feature@8', 'demo_state = 1;@9 (conditional)', 'demo_debugfs_init@12 (conditional)', 'kvm_init@15 (can-fail)']);
  });

  it('stops at the first top-level return; what follows its labels is the failure path', async () => {
    const statements = await initFromBody(
      '\tint r;\n\n\tr = demo_setup();\n\tif (r < 0)\n\t\tgoto out;\n\n\tr = kvm_init();\n\tif (r)\n\t\tgoto out_setup;\n\n\treturn 0;\n\nout_setup:\n\tdemo_teardown();\nout:\n\tdemo_report(r);\n\treturn r;\n',
    );
    expect(statements).toEqual(['demo_setup@10 (can-fail) undo[demo_report@23]', 'kvm_init@14 (can-fail) undo[demo_teardown@21 demo_report@23]']);
  });

  it('`if (r) undo();` then `return r;` (loongarch style) is the failure path of the call before it, not init work', async () => {
    const statements = await initFromBody(
      '\tint r;\n\n\tr = demo_env_init();\n\tif (r)\n\t\treturn r;\n\n\tr = kvm_init();\n\tif (r)\n\t\tdemo_env_exit();\n\n\treturn r;\n',
    );
    expect(statements).toEqual(['demo_env_init@10 (can-fail)', 'kvm_init@14 (can-fail) undo[demo_env_exit@16]']);
  });

  it('a label reached by falling through on the success path (powerpc e500 style) is still init work', async () => {
    const statements = await initFromBody(
      '\tint r;\n\n\tr = demo_booke_init();\n\tif (r)\n\t\tgoto err_out;\n\n\tr = kvm_init();\n\tif (r)\n\t\tgoto err_out;\n\tdemo_ops.owner = THIS_MODULE;\n\tdemo_pr_ops = &demo_ops;\n\nerr_out:\n\treturn r;\n',
    );
    expect(statements).toEqual(['demo_booke_init@10 (can-fail)', 'kvm_init@14 (can-fail)', 'demo_ops.owner = THIS_MODULE;@17', 'demo_pr_ops = &demo_ops;@18']);
  });

  it('a check wrapped in WARN_ON_ONCE() checks the call before it; a guard without a call marks nothing', async () => {
    const statements = await initFromBody(
      '\tint r;\n\n\tr = demo_vfio_init();\n\tif (WARN_ON_ONCE(r))\n\t\tgoto out;\n\tdemo_prepare();\n\tif (!demo_state)\n\t\treturn -EINVAL;\n\n\treturn kvm_init();\nout:\n\tdemo_vfio_exit();\n\treturn r;\n',
    );
    expect(statements).toEqual(['demo_vfio_init@10 (can-fail) undo[demo_vfio_exit@19]', 'demo_prepare@13', 'kvm_init@17 (can-fail)']);
  });

  it('`if (err) pr_warn(...)` with init going on is conditional work, not a failure path', async () => {
    const statements = await initFromBody('\tint err;\n\n\terr = demo_c();\n\tif (err)\n\t\tpr_warn("no c");\n\tdemo_d();\n\n\treturn kvm_init();\n');
    expect(statements).toEqual(['demo_c@10', 'pr_warn@12 (conditional)', 'demo_d@13', 'kvm_init@15 (can-fail)']);
  });

  it('the else branch of a failing if is still init work, conditional', async () => {
    const statements = await initFromBody(
      '\tif (!demo_probe()) {\n\t\tpr_err("none");\n\t\treturn -ENODEV;\n\t} else {\n\t\tdemo_else_setup();\n\t}\n\n\treturn kvm_init();\n',
    );
    expect(statements).toEqual(['demo_probe@8 (can-fail) undo[pr_err@9]', 'demo_else_setup@12 (conditional)', 'kvm_init@15 (can-fail)']);
  });

  it('a return under #ifdef does not end the walk; a switch condition is a statement', async () => {
    const statements = await initFromBody(
      '#ifndef CONFIG_DEMO\n\treturn 0;\n#endif\n\tswitch (demo_mode()) {\n\tcase 1:\n\t\tdemo_one();\n\t\tbreak;\n\tdefault:\n\t\tbreak;\n\t}\n\n\treturn kvm_init();\n',
    );
    expect(statements).toEqual(['demo_mode@11', 'demo_one@13 (conditional)', 'kvm_init@19 (can-fail)']);
  });
});
