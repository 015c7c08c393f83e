// What a run keeps of each C file (its index, its functions' facts) is what reading the file
// again gives: every fixture file read cold, then warm with tree-sitter's parse watched, strictly
// equal; a changed file, a broken entry or the cache turned off mean reading the file again.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, beforeEach, describe, expect, it, vi } from 'vitest';
import { cParser } from '../src/c-parser.js';
import type { FileIndex } from '../src/file-index.js';
import type { Facts } from '../src/function-facts.js';
import { readInitFunction, type InitFlow } from '../src/init-flow.js';
import { KeptFiles } from '../src/kept-files.js';
import { KernelTree } from '../src/kernel-tree.js';
import { ParseCache, ParserNotLoaded, Scope, scopeNames } from '../src/scope.js';
import { copyFixture, fixture, treeWith } from './helpers.js';

beforeEach(() => {
  vi.stubEnv('XDG_CACHE_HOME', mkdtempSync(join(tmpdir(), 'kvm-rules-kept-files-')));
  vi.stubEnv('KVM_RULES_PARSE_CACHE', undefined);
});

/** The store's folder under this test's XDG_CACHE_HOME. */
function storeDir(): string {
  const home = process.env.XDG_CACHE_HOME;
  assert(home, 'each test has its own cache home');
  const [store] = readdirSync(join(home, 'kvm-rules'));
  assert(store, 'something was kept');
  return join(home, 'kvm-rules', store);
}

interface Reading {
  indexes: FileIndex[];
  facts: Record<string, Facts>;
  /** Every function read path by path, as data: mostCallsOnOnePath() asked of each call it makes and of one it does not. */
  flows: Record<string, unknown>;
  /** Functions tree-sitter parsed for this reading. */
  parses: number;
}

/** Every C file of `dir` indexed and every function's facts read (in the configuration `config`), through kept files when `kept`. */
async function readAll(dir: string, kept: KeptFiles | undefined, config = new Set<string>()): Promise<Reading> {
  const tree = KernelTree.open(dir, kept);
  const parser = await cParser();
  const parse = vi.spyOn(parser, 'parse');
  try {
    const files = [...tree.cFiles('arch', true), ...tree.cFiles('virt', true)];
    const scope = new Scope(new ParseCache(tree, parser), scopeNames(tree, files, files[0] ?? ''), config);
    const indexes = files.map((file) => tree.index(file));
    const facts: Record<string, Facts> = {};
    const flows: Record<string, unknown> = {};
    for (const index of indexes) {
      for (const def of index.functions) {
        facts[`${def.file}:${def.name}:${def.line}`] = scope.info(def).facts;
        flows[`${def.file}:${def.name}:${def.line}`] = flowData(readInitFunction(scope, def, false));
      }
    }
    tree.kept?.save();
    return { indexes, facts, flows, parses: parse.mock.calls.length };
  } finally {
    parse.mockRestore();
  }
}

/** A reading without its count of parses: what two readings of the same tree must share. */
function whatWasRead({ indexes, facts, flows }: Reading): Omit<Reading, 'parses'> {
  return { indexes, facts, flows };
}

function flowData(flow: InitFlow): unknown {
  const { def, statements, failures, failureSteps, truncated } = flow;
  const calls = [...new Set(statements.flatMap((s) => (s.call === undefined ? [] : [s.call]))), 'no_such_call'];
  return { def, statements, failures, failureSteps, truncated, callsOnOnePath: calls.map((call) => [call, flow.mostCallsOnOnePath(call)]) };
}

describe('kept C files', () => {
  // The trees share the generic fixture's virt/kvm.
  it.each(['ordered', 'late-percpu', 'partly-read', 'missing-module'])(
    'the %s fixture: every index and every function read back as a fresh reading makes them, nothing parsed',
    async (name) => {
      const fresh = await readAll(fixture(name), undefined);
      expect(fresh.parses).toBeGreaterThan(0);
      await readAll(fixture(name), KeptFiles.open());
      const warm = await readAll(fixture(name), KeptFiles.open());
      expect(warm.parses).toBe(0);
      expect(whatWasRead(warm)).toStrictEqual(whatWasRead(fresh));
    },
  );

  it('a reading in another configuration is a reading of its own', async () => {
    const dir = treeWith({
      'virt/kvm/kvm_main.c': 'int kvm_init(void)\n{\n\treturn 0;\n}\n',
      'arch/demo/kvm/demo.c': 'int demo_state;\n\nint demo_init(void)\n{\n#ifndef CONFIG_DEMO_X\n\tdemo_state = 1;\n#endif\n\treturn 0;\n}\n',
    });
    const names = (reading: Reading) => reading.facts['arch/demo/kvm/demo.c:demo_init:3']?.refs.map((r) => r.name);
    expect(names(await readAll(dir, KeptFiles.open()))).toContain('demo_state');
    const on = new Set(['CONFIG_DEMO_X']);
    const warm = await readAll(dir, KeptFiles.open(), on);
    // Its facts, and its paths.
    expect(warm.parses).toBe(2);
    expect(names(warm)).not.toContain('demo_state');
    expect(warm.facts).toStrictEqual((await readAll(dir, undefined, on)).facts);
  });

  it('a file whose text changed is indexed and parsed again; the others are not', async () => {
    const dir = copyFixture('ordered');
    await readAll(dir, KeptFiles.open());
    const vz = join(dir, 'arch/demom/kvm/vz.c');
    writeFileSync(vz, 'static int vz_extra(void)\n{\n\treturn kvm_vz_probe();\n}\n', { flag: 'a' });
    const fresh = await readAll(dir, undefined);
    const warm = await readAll(dir, KeptFiles.open());
    const inVz = fresh.indexes.find((index) => index.file === 'arch/demom/kvm/vz.c')?.functions.length;
    expect(warm.parses).toBe(2 * (inVz ?? 0));
    expect(whatWasRead(warm)).toStrictEqual(whatWasRead(fresh));
  });

  it("a function's paths are read again when a name they test changes kind in another file", async () => {
    const dir = treeWith({
      'virt/kvm/kvm_main.c': 'int kvm_init(void)\n{\n\treturn 0;\n}\n',
      'arch/demo/kvm/demo.c': 'int demo_init(void)\n{\n\tdemo_buf = kzalloc(16, GFP_KERNEL);\n\tif (!demo_buf)\n\t\treturn -ENOMEM;\n\treturn 0;\n}\n',
      'arch/demo/kvm/state.c': 'char *demo_buf;\n',
    });
    const pointer = await readAll(dir, KeptFiles.open());
    writeFileSync(join(dir, 'arch/demo/kvm/state.c'), 'char demo_buf;\n');
    const fresh = await readAll(dir, undefined);
    expect(fresh.flows).not.toStrictEqual(pointer.flows);
    const warm = await readAll(dir, KeptFiles.open());
    expect(warm.flows).toStrictEqual(fresh.flows);
    // demo_init()'s paths, parsed again; its facts and kvm_init() as kept.
    expect(warm.parses).toBe(1);
  });

  it('a broken or foreign entry is read again, and the reading is right', async () => {
    const fresh = await readAll(fixture('ordered'), undefined);
    await readAll(fixture('ordered'), KeptFiles.open());
    const entries = readdirSync(storeDir());
    const broken = [
      '{"index": {"functions": []',
      '{"index": {"functions": {}}, "readings": {}}',
      '{"index": null, "readings": {"x:1|": {"facts": {}}}}',
      'null',
    ];
    entries.forEach((entry, i) => {
      writeFileSync(join(storeDir(), entry), broken[i % broken.length]!);
    });
    const again = await readAll(fixture('ordered'), KeptFiles.open());
    expect(again.parses).toBe(fresh.parses);
    expect(whatWasRead(again)).toStrictEqual(whatWasRead(fresh));
  });

  it('a check of a tree that was kept whole never loads tree-sitter; one that needs a parse loads it and runs the step again', async () => {
    const dir = fixture('ordered');
    const fresh = await readAll(dir, undefined);
    await readAll(dir, KeptFiles.open());
    const readWithout = (tree: KernelTree) => {
      const files = [...tree.cFiles('arch', true), ...tree.cFiles('virt', true)];
      const cache = new ParseCache(tree);
      const scope = new Scope(cache, scopeNames(tree, files, files[0] ?? ''));
      let runs = 0;
      const step = () => {
        runs++;
        return files.flatMap((file) => tree.index(file).functions.map((def) => [scope.info(def).facts, flowData(readInitFunction(scope, def, false))]));
      };
      return { cache, step, runs: () => runs };
    };
    const warm = readWithout(KernelTree.open(dir, KeptFiles.open()));
    // No parser: the parser getter throws ParserNotLoaded, which a kept reading never reaches.
    expect(() => warm.cache.parser).toThrow(ParserNotLoaded);
    expect(warm.step()).toStrictEqual(Object.keys(fresh.facts).map((key) => [fresh.facts[key], fresh.flows[key]]));
    const cold = readWithout(KernelTree.open(dir));
    expect(await cold.cache.withParser(cold.step)).toStrictEqual(warm.step());
    expect(cold.runs()).toBe(2);
  });

  it('KVM_RULES_PARSE_CACHE=0 keeps nothing', () => {
    vi.stubEnv('KVM_RULES_PARSE_CACHE', '0');
    expect(KeptFiles.open()).toBeUndefined();
  });
});
