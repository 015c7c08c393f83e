import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../load/load.js';
import { builtinRulesDir } from '../paths.js';
import { ruleKinds } from './index.js';

const docsDir = fileURLToPath(new URL('../../../../docs/rules/', import.meta.url));

describe('rule documentation', () => {
  it('every rule kind has its page at meta.docs.url, and every page a rule kind', () => {
    for (const rule of ruleKinds.values()) {
      expect(rule.meta.docs.url).toBe(`docs/rules/${rule.name}.md`);
      expect(existsSync(`${docsDir}${rule.name}.md`), `${rule.name} has no page`).toBe(true);
    }
    const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3));
    expect(pages.sort()).toEqual([...ruleKinds.keys()].sort());
  });

  it('every rule of the default set configures a known kind', () => {
    for (const rule of loadRuleFiles(builtinRulesDir)) expect(ruleKinds.has(rule.module.name)).toBe(true);
  });
});
