// Property-based checks of the C reading (fast-check). The file index, over any mix of the
// shapes kernel C is made of (headers, braces in and out of column 0, comments, #if, long
// lines, stray brackets), ends and stays inside the text. A whole check over the late-percpu
// fixture with lines deleted, repeated, swapped or cut never throws, is deterministic, and
// every finding points at a line that exists in the file it names.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { assert, describe, expect, it } from 'vitest';
import { indexFile } from '../src/file-index.js';
import { checkKernel, copyFixture, fixture } from './helpers.js';

const FRAGMENTS = [
  'static int __init demo_init(void)',
  'int kvm_arch_enable_virtualization_cpu(void)',
  'void __weak kvm_arch_disable_virtualization(void)',
  '{',
  '}',
  '\t{',
  '\t}',
  '};',
  '\tr = demo_setup();',
  '\tif (r)',
  '\t\tgoto out;',
  'out:',
  '\treturn r;',
  '/*',
  ' */',
  '/* a comment { with a brace */',
  '// } a line comment',
  '#ifdef CONFIG_DEMO',
  '#else',
  '#endif',
  'static DEFINE_PER_CPU(struct list_head, demo_list);',
  'static struct demo_ops ops = {',
  '\t.hardware_enable = demo_enable,',
  'module_init(demo_init);',
  '(((((',
  ')))',
  '"a string with { and }"',
  '',
];

const cText = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 }), fc.constantFrom('x'.repeat(5000), '('.repeat(300))), { maxLength: 80 })
  .map((lines) => lines.join('\n'));

describe('the file index, on any arrangement of kernel C shapes', () => {
  it('ends, and every function it finds lies inside the text, in order, without overlap', () => {
    fc.assert(
      fc.property(cText, (text) => {
        const index = indexFile('arch/demo/kvm/demo.c', text);
        const lines = text.split('\n').length;
        let end = 0;
        for (const fn of index.functions) {
          expect(fn.start).toBeGreaterThanOrEqual(end);
          expect(fn.end).toBeGreaterThan(fn.start);
          expect(fn.end).toBeLessThanOrEqual(text.length);
          expect(fn.line).toBeGreaterThanOrEqual(1);
          expect(fn.lastLine).toBeLessThanOrEqual(lines);
          expect(text.slice(fn.start, fn.end)).toContain(fn.name);
          end = fn.end;
        }
        for (const v of index.variables) expect(v.line).toBeLessThanOrEqual(lines);
      }),
      { numRuns: 500, seed: 1 },
    );
  });
});

const FILES = ['virt/kvm/kvm_main.c', 'arch/demox/kvm/x86.c', 'arch/demox/kvm/vmx/vmx.c'];
const originals = new Map(FILES.map((file) => [file, readFileSync(join(fixture('late-percpu'), file), 'utf8')]));

const lineEdit = fc.record({
  file: fc.constantFrom(...FILES),
  edit: fc.constantFrom('delete', 'repeat', 'swap', 'cut'),
  at: fc.nat(),
  other: fc.nat(),
});
type LineEdit = typeof lineEdit extends fc.Arbitrary<infer T> ? T : never;

function edited(text: string, { edit, at, other }: LineEdit): string {
  const lines = text.split('\n');
  const i = at % lines.length;
  const j = other % lines.length;
  if (edit === 'delete') lines.splice(i, 1);
  else if (edit === 'repeat') lines.splice(i, 0, lines[i]!);
  else if (edit === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  else return text.slice(0, text.split('\n').slice(0, i).join('\n').length + (other % 40));
  return lines.join('\n');
}

describe('a check over the late-percpu fixture with edited lines', () => {
  it('never throws, gives the same findings twice, and places every finding on a line of the file it names', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineEdit, { minLength: 1, maxLength: 3 }), async (list) => {
        const dir = copyFixture('late-percpu');
        const texts = new Map(originals);
        for (const e of list) texts.set(e.file, edited(texts.get(e.file) ?? '', e));
        for (const [file, text] of texts) writeFileSync(join(dir, file), text);
        const options = { plugins: [join(dir, 'plugin.yaml')], archs: ['demo-vmx'] };
        const { findings } = await checkKernel(dir, options);
        expect((await checkKernel(dir, options)).findings).toEqual(findings);
        for (const f of findings) {
          assert(f.location, `${f.ruleId} ${f.message}: no location`);
          const text = texts.get(f.location.file) ?? readFileSync(join(dir, f.location.file), 'utf8');
          expect(f.location.line, `${f.ruleId} ${f.message}`).toBeLessThanOrEqual(text.split('\n').length);
          expect(f.location.line).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 40, seed: 1 },
    );
  }, 120_000);
});
