// indexFile(): functions (multi-line headers, __weak, static), file-scope and per-CPU
// variables, initializer tables and module_init(), without parsing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, describe, expect, it } from 'vitest';
import { maskKernelMacros } from '../src/c-parser.js';
import { indexFile } from '../src/file-index.js';
import { fixture } from './helpers.js';

const fixtureIndex = (name: string, file: string) => indexFile(file, readFileSync(join(fixture(name), file), 'utf8'));

const SAMPLE = `// SPDX-License-Identifier: GPL-2.0-only
#include <linux/kvm_host.h>

static DEFINE_PER_CPU(struct list_head, demo_loaded_vcpus);
DEFINE_PER_CPU_READ_MOSTLY(unsigned long, demo_hyp_stack) = 0;
static DEFINE_PER_CPU_ALIGNED(struct demo_host_state, demo_host_data);
static LIST_HEAD(demo_vm_list);
static DEFINE_SPINLOCK(demo_vm_lock);
static bool demo_enabled __read_mostly;
static unsigned int demo_vmid_bits __ro_after_init = 8;
static int demo_a, demo_b;
static unsigned long demo_masks[4];
extern int demo_declared_elsewhere;

static int __init
demo_split_header(struct demo_config *config,
		  unsigned long flags)
{
	demo_enabled = true;
	return 0;
}

static long demo_ioctl(struct file *filp,
		       unsigned int ioctl, unsigned long arg)
{
	if (ioctl) {
		return -EINVAL;
	}
	return 0;
}

__weak int kvm_arch_demo_hook(void)
{
	return 0;
}

int demo_exported(void)
{
	return demo_a + demo_b;
}

static struct demo_ops demo_vz_ops = {
	.hardware_enable	= demo_vz_enable,
	.hardware_disable	= demo_vz_disable,
	.owner			= THIS_MODULE,
};

static struct miscdevice demo_dev = {
	DEMO_MINOR,
	"demo",
	&demo_fops,
};

module_init(demo_split_header);
`;

describe('indexFile', () => {
  const index = indexFile('arch/demo/kvm/demo.c', SAMPLE);

  it('finds each function from its header to its closing brace, headers over several lines included', () => {
    expect(index.functions.map((f) => ({ name: f.name, line: f.line, weak: f.weak, static: f.static }))).toEqual([
      { name: 'demo_split_header', line: 15, weak: false, static: true },
      { name: 'demo_ioctl', line: 23, weak: false, static: true },
      { name: 'kvm_arch_demo_hook', line: 32, weak: true, static: false },
      { name: 'demo_exported', line: 37, weak: false, static: false },
    ]);
    const split = index.functions[0]!;
    expect(SAMPLE.slice(split.start, split.end)).toBe(
      'static int __init\ndemo_split_header(struct demo_config *config,\n\t\t  unsigned long flags)\n{\n\tdemo_enabled = true;\n\treturn 0;\n}',
    );
    // An inner `}` (indented) does not end the function.
    expect(SAMPLE.slice(index.functions[1]!.start, index.functions[1]!.end)).toMatch(/^static long demo_ioctl[^]*\treturn 0;\n\}$/);
  });

  it('finds file-scope and per-CPU variables, and which have a value at compile time', () => {
    expect(index.variables.map((v) => `${v.name} ${v.kind}${v.staticInit ? ' static-init' : ''} ${v.line}:${v.column}`)).toEqual([
      'demo_loaded_vcpus per-cpu 4:41',
      'demo_hyp_stack per-cpu static-init 5:43',
      'demo_host_data per-cpu 6:55',
      'demo_vm_list global static-init 7:18',
      'demo_vm_lock global static-init 8:24',
      'demo_enabled global 9:13',
      'demo_vmid_bits global static-init 10:21',
      'demo_a global 11:12',
      'demo_b global 11:20',
      'demo_masks global 12:22',
      'demo_vz_ops global static-init 42:24',
      'demo_dev global static-init 48:26',
    ]);
    expect(index.variables.map((v) => v.name)).not.toContain('demo_declared_elsewhere');
  });

  it('reads initializer tables: designated fields and positional references', () => {
    expect(
      index.tables.map((t) => ({ name: t.name, line: t.line, entries: t.entries.map((e) => `${e.field ?? '-'}=${e.value}@${e.line}:${e.column}`) })),
    ).toEqual([
      {
        name: 'demo_vz_ops',
        line: 42,
        entries: ['hardware_enable=demo_vz_enable@43:21', 'hardware_disable=demo_vz_disable@44:22', 'owner=THIS_MODULE@45:13'],
      },
      { name: 'demo_dev', line: 48, entries: ['-=demo_fops@51:3'] },
    ]);
  });

  it('finds module_init()', () => {
    expect(index.moduleInits).toEqual([{ name: 'demo_split_header', line: 54, macro: 'module_init' }]);
  });

  it('indexes the fixture kvm_main.c: weak defaults, per-CPU state, /dev/kvm tables', () => {
    const main = fixtureIndex('late-percpu', 'virt/kvm/kvm_main.c');
    expect(main.functions.filter((f) => f.weak).map((f) => f.name)).toEqual(['kvm_arch_enable_virtualization', 'kvm_arch_disable_virtualization']);
    expect(main.functions.find((f) => f.name === 'kvm_dev_ioctl')).toMatchObject({ line: 43, static: true });
    expect(main.functions.find((f) => f.name === 'kvm_init')).toMatchObject({ line: 133, static: false, weak: false });
    expect(main.variables.find((v) => v.name === 'virtualization_enabled')).toMatchObject({ kind: 'per-cpu', staticInit: false, line: 17 });
    expect(main.variables.find((v) => v.name === 'vm_list')).toMatchObject({ kind: 'global', staticInit: true });
    expect(main.tables.find((t) => t.name === 'kvm_dev')?.entries.map((e) => e.value)).toEqual(['kvm_chardev_ops']);
    expect(main.tables.find((t) => t.name === 'kvm_chardev_ops')?.entries.map((e) => `${e.field}=${e.value}`)).toEqual([
      'unlocked_ioctl=kvm_dev_ioctl',
      'llseek=noop_llseek',
    ]);
    expect(main.moduleInits).toEqual([]);
  });

  it('indexes the fixture VMX-like module: __init/__initdata ops tables, per-CPU regions, module_init()', () => {
    const vmx = fixtureIndex('late-percpu', 'arch/demox/kvm/vmx/vmx.c');
    expect(vmx.functions.find((f) => f.name === 'demo_vmx_init')).toMatchObject({ line: 135, static: true });
    expect(vmx.moduleInits).toEqual([{ name: 'demo_vmx_init', line: 169, macro: 'module_init' }]);
    expect(vmx.variables.filter((v) => v.kind === 'per-cpu').map((v) => `${v.name}@${v.line}`)).toEqual(['demo_vmxon_region@19', 'demo_loaded_vmcss@22']);
    expect(vmx.variables.find((v) => v.name === 'enable_demo_ept')).toMatchObject({ staticInit: true, line: 24 });
    const ops = vmx.tables.find((t) => t.name === 'demo_vmx_x86_ops');
    assert(ops, 'the demo_vmx_x86_ops table');
    expect(ops.entries.filter((e) => e.field?.startsWith('hardware_')).map((e) => `${e.field}=${e.value}@${e.line}`)).toEqual([
      'hardware_unsetup=demo_vmx_hardware_unsetup@99',
      'hardware_enable=demo_vmx_hardware_enable@100',
      'hardware_disable=demo_vmx_hardware_disable@101',
    ]);
    expect(vmx.tables.find((t) => t.name === 'demo_vmx_init_ops')?.entries.map((e) => `${e.field}=${e.value}`)).toEqual([
      'hardware_setup=demo_vmx_hardware_setup',
      'runtime_ops=demo_vmx_x86_ops',
    ]);
  });
});

describe('maskKernelMacros', () => {
  it('blanks attributes and turns for_each iterators into while loops, moving nothing', () => {
    const text = 'static int __init demo_init(void)\n{\n\tfor_each_possible_cpu(cpu) {\n\t\tINIT_LIST_HEAD(&per_cpu(demo_list, cpu));\n\t}\n}\n';
    const masked = maskKernelMacros(text);
    expect(masked).toHaveLength(text.length);
    expect(masked.split('\n').map((line) => line.length)).toEqual(text.split('\n').map((line) => line.length));
    expect(masked).toContain('static int        demo_init(void)');
    expect(masked).toMatch(/\twhile {16}\(cpu\) \{/);
  });

  it('blanks code parked under `#if 0` (and the `#else` of `#if 1`), in any configuration; leaves a block on an unsettled symbol whole', () => {
    const text = [
      'static int __init demo_init(void)',
      '{',
      '#if 0',
      '	r = kvm_init(NULL);',
      '#endif',
      '#if 1',
      '	r = demo_setup();',
      '#else',
      '	r = demo_old_setup();',
      '#endif',
      '#ifdef CONFIG_DEMO',
      '	demo_extra();',
      '#endif',
      '	return kvm_init(THIS_MODULE);',
      '}',
      '',
    ].join('\n');
    for (const enabled of [undefined, new Set<string>(), new Set(['CONFIG_OTHER'])]) {
      const masked = maskKernelMacros(text, enabled);
      expect(masked).toHaveLength(text.length);
      expect(masked).not.toContain('kvm_init(NULL)');
      expect(masked).not.toContain('demo_old_setup');
      expect(masked).toContain('\tr = demo_setup();');
      expect(masked).toContain('\tdemo_extra();');
    }
  });

  it('indexes no definition parked under `#if 0` (nor under the `#else` of `#if 1`), and keeps the lines of the others', () => {
    const text = [
      '#if 0',
      'static int demo_parked;',
      'static int __init demo_init(void)',
      '{',
      '\treturn 0;',
      '}',
      'module_init(demo_init);',
      '#endif',
      '#if 1',
      'static int demo_kept;',
      '#else',
      'static int demo_old;',
      '#endif',
      '',
      'static int __init demo_init(void)',
      '{',
      '\treturn kvm_init();',
      '}',
      'module_init(demo_init);',
      '',
    ].join('\n');
    const index = indexFile('a.c', text);
    expect(index.text).toBe(text);
    expect(index.functions.map((f) => `${f.name}@${f.line}`)).toEqual(['demo_init@15']);
    expect(index.moduleInits).toEqual([{ name: 'demo_init', line: 19, macro: 'module_init' }]);
    expect(index.variables.map((v) => `${v.name}@${v.line}`)).toEqual(['demo_kept@10']);
  });

  it('indexes a definition whose header line opens the body, in column 0 only: not a comment or a statement ending so', () => {
    const text = [
      '/*',
      ' * Example:',
      ' *\tif (demo_ready(x)) {',
      ' */',
      'static int __init demo_init(void) {',
      '\tif (demo_ready(1)) {',
      '\t\treturn 0;',
      '\t}',
      '\treturn kvm_init();',
      '}',
      '',
      'static int __init',
      'demo_split(void) {',
      '\treturn 0;',
      '}',
      '',
    ].join('\n');
    expect(indexFile('a.c', text).functions.map((f) => `${f.name}@${f.line}-${f.lastLine + 1}`)).toEqual(['demo_init@5-10', 'demo_split@12-15']);
  });

  it('reads device_initcall() as the module_init() it stands for in built-in code; not a later initcall level', () => {
    const text = [
      'device_initcall(demo_arm_init);',
      '__initcall(demo_other_init);',
      'device_initcall_sync(demo_finalize);',
      'late_initcall(demo_late);',
      '',
    ].join('\n');
    expect(indexFile('a.c', text).moduleInits).toEqual([
      { name: 'demo_arm_init', line: 1, macro: 'device_initcall' },
      { name: 'demo_other_init', line: 2, macro: '__initcall' },
    ]);
  });

  it('names behind attributes, bracketed sizes, bitmaps, several declarators, and a header with a trailing comment', () => {
    const text = [
      'static u64 __io_map_base;',
      'static u32 msrs_to_save[ARRAY_SIZE(msrs_to_save_base) + ARRAY_SIZE(msrs_to_save_pmu)];',
      'static DECLARE_BITMAP(vmx_vpid_bitmap, VMX_NR_VPIDS);',
      'static struct demo_area area __aligned(8);',
      'static int (*demo_hook)(void);',
      'int demo_x, demo_y = 3;',
      'static int __init demo_fn(void) /* why */',
      '{',
      '\treturn 0;',
      '}',
      '',
    ].join('\n');
    const index = indexFile('a.c', text);
    expect(index.variables.map((v) => `${v.name}${v.staticInit ? ' (static)' : ''}@${v.line}:${v.column}`)).toEqual([
      '__io_map_base@1:12',
      'msrs_to_save@2:12',
      'vmx_vpid_bitmap@3:23',
      'area@4:25',
      'demo_x@6:5',
      'demo_y (static)@6:13',
    ]);
    expect(index.functions.map((f) => f.name)).toEqual(['demo_fn']);
  });
});
