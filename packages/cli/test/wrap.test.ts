// Lines fitted to a width: the filling itself, and stylish's layout of a finding at several
// widths (message under itself, rule id never alone, related messages under themselves).
import type { Finding } from '@kvm-rules/core';
import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/formatters/index.js';
import stylish from '../src/formatters/stylish.js';
import { columns, fill, words, wrapLine } from '../src/formatters/wrap.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, '');

/** A line over `width` is one word after its indentation (and the `at` or `↳` that introduces it): a path that cannot be broken. */
function expectFits(lines: string[], width: number): void {
  for (const line of lines) {
    if (columns(line) <= width) continue;
    expect(plain(line).trim(), `${columns(line)} columns: ${line}`).toMatch(/^(?:(?:at|↳) )?\S+$/);
  }
}

describe('fill', () => {
  it('fills words up to the width, continuation lines after `rest`, and keeps the spaces between words that stay together', () => {
    expect(fill(words('aaa bbb  ccc ddd'), '> ', '  ', 10)).toEqual(['> aaa bbb', '  ccc ddd']);
    expect(fill(words('aaa bbb  ccc'), '> ', '  ', 0)).toEqual(['> aaa bbb  ccc']);
  });

  it('never cuts a word: one longer than a line has a line of its own, and starts below when the next line has more room', () => {
    const long = 'arch/x86/kvm/vmx/a-very-long-path-that-cannot-be-broken.c:1:2';
    expect(fill(words(`at ${long} here`), '  ', '  ', 20)).toEqual(['  at', `  ${long}`, '  here']);
    expect(fill(words(`${long} x`), '      ↳ ', '  ', 20)).toEqual(['      ↳', `  ${long}`, '  x']);
  });

  it('moves a glued word down with the word before it; "if-they-fit" only while the two fit on a line', () => {
    const list = [...words('one two three'), { text: 'rule-id', space: '  ', glued: 'if-they-fit' as const }];
    expect(fill(list, '', '', 17)).toEqual(['one two', 'three  rule-id']);
    expect(fill(list, '', '', 22)).toEqual(['one two three  rule-id']);
    expect(fill(list, '', '', 10)).toEqual(['one two', 'three', 'rule-id']);
    const always = [...words('one two three'), { text: 'rule-id', space: '  ', glued: 'always' as const }];
    expect(fill(always, '', '', 10)).toEqual(['one two', 'three  rule-id']);
  });

  it('counts no color codes, paints runs of one paint together, and counts bytes (an arrow is 3)', () => {
    const c = createColors(true);
    const lines = fill([...words('aaa bbb', c.dim), ...words('ccc')], c.red('> '), '  ', 9);
    expect(lines).toEqual([`${c.red('> ')}${c.dim('aaa bbb')}`, '  ccc']);
    expect(columns(c.red('abc'))).toBe(3);
    expect(columns('a → b')).toBe(7);
  });

  it('wrapLine keeps the indentation and hangs continuation lines', () => {
    expect(wrapLine('    aaa bbb ccc ddd', 12, 6)).toEqual(['    aaa bbb', '          ccc', '          ddd']);
  });
});

describe('stylish at a width', () => {
  const finding: Finding = {
    ruleId: 'unwind-on-failure',
    severity: 'error',
    arch: 'powerpc',
    profile: 'kernel-6.12.117',
    message:
      'kvmppc_e500_init(): kvm_init() can fail, but its failure path does not undo kvmppc_booke_init(): kvmppc_booke_handlers stays set up; call free_pages() before returning the error',
    location: { file: 'arch/powerpc/kvm/e500.c', line: 535, column: 2 },
    related: [
      { message: 'kvmppc_booke_init() sets it up here', location: { file: 'arch/powerpc/kvm/e500.c', line: 514, column: 6 } },
      {
        message: 'evidence: module_exit(kvmppc_e500_exit) undoes it through kvmppc_booke_exit() → free_pages()',
        location: { file: 'arch/powerpc/kvm/booke.c', line: 2240, column: 2 },
      },
      {
        message: '"kvm_register_device_ops(kvm_xive_native_ops)" (kvm_register_device_ops()) also runs',
        location: { file: 'arch/powerpc/kvm/book3s.c', line: 1080, column: 4 },
      },
    ],
  };
  const result: CheckResult = {
    profile: 'kernel-6.12.117',
    archs: ['powerpc'],
    findings: [finding],
    summary: { errors: 1, warnings: 0 },
    variants: {},
    kernel: { root: '/src/linux', version: '6.12.117' },
  };
  const lines = (width: number | undefined, color = false) => stylish(result, { color, ...(width === undefined ? {} : { width }) }).split('\n');

  it.each([40, 60, 80, 100, 132])('%i columns: every line fits, the message wraps under itself and ends with the rule id', (width) => {
    const out = lines(width);
    expectFits(out, width);
    const start = out.findIndex((line) => line.startsWith('  error    '));
    const end = out.findIndex((line) => line.endsWith('  unwind-on-failure'));
    expect(end).toBeGreaterThanOrEqual(start);
    // The rule id ends a line of the message: never alone on its line (the last word and it fit in 40 columns).
    expect(out[end]!.trim()).not.toBe('unwind-on-failure');
    const message = out
      .slice(start, end + 1)
      .map((line, i) => (i === 0 ? line.slice(11) : line))
      .join(' ')
      .replace(/ +/g, ' ')
      .trim();
    expect(message).toBe(`${finding.message} unwind-on-failure`);
    for (const line of out.slice(start + 1, end + 1)) expect(line).toMatch(/^ {11}\S/);
    expect(out[end + 1]).toBe('           at arch/powerpc/kvm/e500.c:535:2');
  });

  it('80 columns by default (stdout not a terminal), and colors do not count', () => {
    expect(lines(undefined)).toEqual(lines(80));
    expect(lines(80, true).map(plain)).toEqual(lines(80));
    expect(lines(80).some((line) => line.length > 70)).toBe(true);
  });

  it('a related message wraps under itself, or under its place when a word of it would not fit there', () => {
    const out = lines(80);
    const evidence = out.findIndex((line) => line.includes('booke.c:2240:2'));
    expect(out[evidence]).toBe('           ↳ arch/powerpc/kvm/booke.c:2240:2  evidence:');
    expect(out[evidence + 1]).toMatch(/^ {46}module_exit\(kvmppc_e500_exit\)/);
    const xive = out.findIndex((line) => line.includes('book3s.c:1080:4'));
    expect(out[xive]).toBe('           ↳ arch/powerpc/kvm/book3s.c:1080:4');
    expect(out[xive + 1]).toBe('             "kvm_register_device_ops(kvm_xive_native_ops)"');
  });

  it('0: no limit, one line per message as before', () => {
    const out = lines(0);
    expect(out).toContain(`  error    ${finding.message}  unwind-on-failure`);
    expect(out).toContain(`           ↳ arch/powerpc/kvm/booke.c:2240:2  ${finding.related?.[1]?.message ?? ''}`);
  });
});
