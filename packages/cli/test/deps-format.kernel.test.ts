// deps --format json: the text's facts as data (docs/formats.md), on the real 6.12 tree (fetched
// by scripts/kernels.mjs when missing): every statement, write, hook read and failure point of
// the text is in the JSON and the other way round, each at a place that is in the tree.
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, beforeAll, describe, expect, it } from 'vitest';
import { fetchKernel } from '../../../scripts/kernels.mjs';
import type { DepsReport } from '../src/commands/deps.js';
import { run } from './run.js';

let linux612 = '';

beforeAll(() => {
  linux612 = fetchKernel('6.12');
}, 300_000);

const where = (place: { file: string; line: number; column: number }) => `${place.file}:${place.line}:${place.column}`;

async function deps(...argv: string[]): Promise<{ code: number; report: DepsReport; text: string }> {
  const json = await run('deps', ...argv, '--format', 'json');
  const text = await run('deps', ...argv, '--max-width', '0');
  expect(json.stderr).toBe('');
  expect(json.code).toBe(text.code);
  return { code: json.code, report: JSON.parse(json.stdout) as DepsReport, text: text.stdout };
}

describe('deps --format json', () => {
  it('6.12 x86-vmx: the same facts as the text, each at a place in the tree', async () => {
    const { code, report, text } = await deps('--kernel', linux612, '--arch', 'x86-vmx');
    expect(code).toBe(0);
    expect(Object.keys(report)).toEqual(['kernel', 'generic', 'archs']);
    expect(report.kernel).toEqual({ root: linux612, version: report.kernel.version });
    expect(report.kernel.version).toMatch(/^6\.12\.\d+$/);
    expect(report.generic.file).toBe('virt/kvm/kvm_main.c');
    expect(report.archs.map((arch) => arch.arch)).toEqual(['x86-vmx']);
    const [vmx] = report.archs;
    assert(vmx, 'the x86-vmx report');
    expect(vmx.problems).toEqual([]);
    expect(vmx.modules.map((m) => [m.init.name, m.exit, m.kconfig?.symbol, m.kconfig?.loadable])).toEqual([['vmx_init', 'vmx_exit', 'CONFIG_KVM_INTEL', true]]);

    const lines = text.split('\n');
    const has = (line: string) => {
      expect(lines, line).toContain(line);
    };
    const places: { file: string; line: number; column: number }[] = [];
    const failures = [...report.generic.failures, ...vmx.modules.flatMap((m) => m.failures), ...vmx.hooks.flatMap((h) => h.setup?.failures ?? [])];
    for (const failure of failures) {
      expect(
        lines.some((line) =>
          line.trimStart().startsWith(`${where(failure.location)}  \`${failure.text}\`: ${failure.failing ? `${failure.failing} fails` : 'fails on its own'}`),
        ),
      ).toBe(true);
      for (const step of failure.path) expect(text).toContain(`${step.call}() at ${where(step.location)}`);
      for (const undone of failure.undoes) expect(text).toContain(`undoes ${undone.step} with ${undone.call}() at ${where(undone.location)}`);
      places.push(failure.location, ...failure.path.map((step) => step.location));
    }
    const statements = vmx.modules.flatMap((m) => m.statements);
    expect(statements.length).toBeGreaterThan(5);
    for (const statement of statements) {
      expect(lines.some((line) => line.startsWith(`    ${where(statement.location)}  ${statement.call ? `${statement.call}()` : statement.text}`))).toBe(true);
      for (const write of statement.writes)
        has(`        writes ${write.state}${write.chain.length ? ` via ${write.chain.map((n) => `${n}()`).join(' → ')}` : ''}  at ${where(write.location)}`);
      places.push(statement.location, ...statement.writes.map((write) => write.location));
    }
    expect(statements.find((s) => s.call === 'kvm_x86_vendor_init')).toMatchObject({
      canFail: true,
      setsUp: { undo: 'kvm_x86_vendor_exit', evidence: { kind: 'exit' } },
    });
    const disable = vmx.hooks.find((hook) => hook.role === 'hardware-disable');
    assert(disable, 'the hardware-disable hook');
    expect(disable.reads).toContainEqual(
      expect.objectContaining({
        state: 'loaded_vmcss_on_cpu',
        write: false,
        chain: ['kvm_arch_disable_virtualization_cpu', 'vmx_disable_virtualization_cpu', 'vmclear_local_loaded_vmcss'],
      }),
    );
    for (const hook of vmx.hooks) {
      has(`  ${hook.role} hook ${hook.name}()  ${hook.definition.file}:${hook.definition.line}${hook.noop ? '  [no-op]' : ''}`);
      for (const read of hook.reads)
        has(`      ${read.write ? 'writes' : 'reads'} ${read.state} via ${read.chain.map((n) => `${n}()`).join(' → ')}  at ${where(read.location)}`);
      places.push(...hook.reads.map((read) => read.location));
    }
    // As many statement, write, read and failure lines in the text as in the JSON: nothing is left out of either.
    const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
    expect(count(/^ {8}writes /)).toBe(statements.reduce((n, s) => n + s.writes.length, 0));
    expect(count(/^ {6}(reads|writes) \S+ via /)).toBe(vmx.hooks.reduce((n, h) => n + h.reads.length, 0));
    expect(count(/^ +failure path: /)).toBe(failures.length);
    // Every place is a line of the tree.
    for (const place of places) {
      const text = readFileSync(join(linux612, place.file), 'utf8').split('\n');
      expect(place.line, where(place)).toBeLessThanOrEqual(text.length);
      expect(place.column).toBeGreaterThan(0);
    }
  }, 120_000);

  it('--all lists every file-scope state a hook reads, in both formats', async () => {
    const some = (await deps('--kernel', linux612, '--arch', 'riscv')).report;
    const all = (await deps('--kernel', linux612, '--arch', 'riscv', '--all')).report;
    const reads = (report: DepsReport) => report.archs[0]!.hooks.reduce((n, hook) => n + hook.reads.length, 0);
    expect(reads(all)).toBeGreaterThan(reads(some));
  }, 120_000);

  it('an arch that cannot be read: exit 1, its problem an error at its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvm-rules-deps-json-'));
    cpSync(join(linux612, 'Makefile'), join(dir, 'Makefile'));
    cpSync(join(linux612, 'virt'), join(dir, 'virt'), { recursive: true });
    mkdirSync(join(dir, 'arch'));
    const { code, report } = await deps('--kernel', dir, '--arch', 'riscv');
    expect(code).toBe(1);
    expect(report.archs[0]!.problems.filter((p) => p.severity === 'error').map((p) => p.message)).toContainEqual(
      expect.stringContaining('arch/riscv/kvm/main.c is not in the tree: cannot analyze riscv_kvm_init()'),
    );
    expect(report.archs[0]!.modules).toEqual([]);
  }, 120_000);

  it('an unknown format is bad input', async () => {
    const { code, stderr } = await run('deps', '--kernel', linux612, '--format', 'yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/--format <name>' argument 'yaml' is invalid\. Allowed choices are text, json/);
  });
});
