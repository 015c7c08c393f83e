// indexFile() is linear in the file's size: a very long line (a 512 KB comment, declaration or
// bracket nest) above a function costs no more than its length, and the index around it is the
// same. Before, the header scan's comment regex, the declarator blanking and the name lookups
// went over a line once per character or per name: 512 KB took minutes. A vitest timeout, not a
// timing assertion, says "well under a second" here (linear runs take milliseconds).
import { describe, expect, it } from 'vitest';
import { indexFile, MAX_DECLARATION_LINE } from '../src/file-index.js';

const LONG = 512 * 1024;

/** A declaration, then the long line right above a function's header, then module_init(). */
function around(line: string) {
  const text = `#include <linux/kvm_host.h>\nstatic int demo_after;\n${line}\nstatic int __init demo_init(void)\n{\n\treturn 0;\n}\nmodule_init(demo_init);\n`;
  return indexFile('arch/demo/kvm/demo.c', text);
}

function expectIndexAroundIt(index: ReturnType<typeof around>): void {
  expect(index.functions.map((f) => `${f.name}@${f.line}-${f.lastLine + 1}`)).toEqual(['demo_init@4-7']);
  expect(index.variables.map((v) => `${v.name}@${v.line}:${v.column}`)).toContain('demo_after@2:12');
  expect(index.moduleInits).toEqual([{ name: 'demo_init', line: 8, macro: 'module_init' }]);
}

describe('a 512 KB line above a function', () => {
  const shapes: [string, string][] = [
    ['a header-like line ending in a comment', `static int ${'x'.repeat(LONG)} /* c */`],
    ['a line of comment closings', `int a /*${' */'.repeat(LONG / 3)}`],
    ['brackets nested 256K deep', `int a${'['.repeat(LONG / 2)}${']'.repeat(LONG / 2)};`],
    ['attributes nested 100K deep', `int a ${'__x('.repeat(LONG / 5)}${')'.repeat(LONG / 5)};`],
    ['one name used 100K times inside brackets', `int demo[${' demo'.repeat(LONG / 5)};`],
    ['a 128K-attribute pointer declaration', `int *${' __a'.repeat(LONG / 4)} demo_p;`],
    ['170K names in one declaration', `int ${'a, '.repeat(LONG / 3)}b;`],
  ];

  it.each(shapes)('%s: the function, the declaration after it and module_init() are indexed', { timeout: 10_000 }, (_, line) => {
    expect(line.length).toBeGreaterThan(LONG - 8);
    expectIndexAroundIt(around(line));
  });

  it('a line longer than MAX_DECLARATION_LINE is neither a header nor a declaration', { timeout: 10_000 }, () => {
    const long = `static int demo_too_long${'_'.repeat(MAX_DECLARATION_LINE)};`;
    const index = around(long);
    expectIndexAroundIt(index);
    expect(index.variables.map((v) => v.name)).toEqual(['demo_after']);
    const header = indexFile('a.c', `static int demo_long(int a${', int b'.repeat(MAX_DECLARATION_LINE)})\n{\n}\nstatic int demo_short(void)\n{\n}\n`);
    expect(header.functions.map((f) => f.name)).toEqual(['demo_short']);
  });

  it('many long lines: an 8 MB file of lines just under the limit indexes every function', { timeout: 5_000 }, () => {
    const line = `static int demo${'[x]'.repeat((MAX_DECLARATION_LINE - 40) / 3)} /* c */`;
    expect(line.length).toBeLessThanOrEqual(MAX_DECLARATION_LINE);
    const text = Array.from({ length: 2000 }, (_, i) => `${line}\nint demo_${i}(void)\n{\n}\n`).join('');
    const index = indexFile('a.c', text);
    expect(index.functions).toHaveLength(2000);
    expect(index.functions[1999]).toMatchObject({ name: 'demo_1999', line: 7997 });
  });
});

describe('what the one-pass scans still read in short lines', () => {
  it('declarator names, their columns and pointers, as before', () => {
    const index = indexFile(
      'a.c',
      [
        'static struct demo_ctx __percpu *demo_ctx;',
        'static struct demo_ctx * __rcu __percpu demo_rcu;',
        'static struct demo_ctx *__rcu demo_not_blank;',
        'static u32 demo_msrs[ARRAY_SIZE(demo_msrs_base) + ARRAY_SIZE(demo_msrs_more)];',
        'static struct demo_area demo_area __aligned(8) __section(".data");',
        'static int demo_x __attribute__((aligned(8)));',
        'static int demo_a, *demo_b, demo_c = 3;',
        'static DEFINE_PER_CPU(struct demo_t, demo_t);',
        'static int demo_fn(void) /* why */',
        '{',
        '}',
      ].join('\n'),
    );
    expect(index.variables.map((v) => `${v.name}:${v.column}${v.pointer ? '*' : ''}${v.staticInit ? '=' : ''} ${v.kind}`)).toEqual([
      'demo_ctx:34* per-cpu',
      'demo_rcu:41* per-cpu',
      'demo_not_blank:31 global',
      'demo_msrs:12 global',
      'demo_area:25 global',
      'demo_a:12 global',
      'demo_b:21* global',
      'demo_c:29= global',
      'demo_t:38 per-cpu',
    ]);
    expect(index.functions.map((f) => `${f.name}@${f.line}`)).toEqual(['demo_fn@9']);
  });
});
