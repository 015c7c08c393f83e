// createRule(): typescript-eslint's RuleCreator with timeline nodes. The default options are in
// meta, as RuleCreator now takes them; a kind written with them beside meta still works.
import { describe, expect, it } from 'vitest';
import { builtinProfilesDir } from '../paths.js';
import { loadProfiles } from '../load/load.js';
import { createRule, type RuleContext, type RuleModule } from './create-rule.js';

interface Seen {
  names: string[];
  depth?: number;
}

const [profile] = loadProfiles(builtinProfilesDir);

/** Runs a kind's create() as the engine does: any kind, with the options the rule file gives. */
function createAs(kind: RuleModule, options: readonly unknown[]): void {
  if (!profile) throw new Error('no built-in profile');
  const context: RuleContext<string, readonly unknown[]> = { id: 'a-rule', options, profile, report: () => undefined };
  kind.create(context);
}

const meta = {
  type: 'problem' as const,
  docs: { description: 'Sees options.' },
  messages: { seen: 'seen' },
  schema: [{ type: 'object', properties: { names: { type: 'array', items: { type: 'string' } }, depth: { type: 'integer' } } }] as const,
};

describe('createRule', () => {
  it("merges the rule file's options over meta.defaultOptions, deeply, and keeps them in meta", () => {
    let got: Seen | undefined;
    const kind = createRule<[Seen], 'seen'>({
      name: 'sees-options',
      meta: { ...meta, defaultOptions: [{ names: ['a'], depth: 1 }] },
      create(_context, [options]) {
        got = options;
        return {};
      },
    });
    expect(kind.meta.defaultOptions).toEqual([{ names: ['a'], depth: 1 }]);
    expect(kind.meta.docs.url).toBe('docs/rules/sees-options.md');
    createAs(kind, [{ depth: 3 }]);
    expect(got).toEqual({ names: ['a'], depth: 3 });
  });

  it('still takes default options given beside meta (deprecated), and moves them into meta', () => {
    let got: Seen | undefined;
    const kind = createRule<[Seen], 'seen'>({
      name: 'sees-options-before',
      meta,
      defaultOptions: [{ names: ['b'] }],
      create(_context, [options]) {
        got = options;
        return {};
      },
    });
    expect(kind.meta.defaultOptions).toEqual([{ names: ['b'] }]);
    createAs(kind, []);
    expect(got).toEqual({ names: ['b'] });
  });
});
