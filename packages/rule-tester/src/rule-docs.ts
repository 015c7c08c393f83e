// Rule pages checked against rule meta, as typescript-eslint checks its docs: every kind has a
// page at meta.docs.url, every page a kind, and each page opens with what the meta says.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleDefinition, RuleModule } from '@kvm-rules/core';

/**
 * The rules of a set that use one kind, as the page's first paragraph names them. `set` names
 * the rule files given: "the default set" for kvm-rules' own, "this package's rules" for a plugin's.
 */
function severityLine(kind: RuleModule, rules: readonly RuleDefinition[], set: string): string {
  const using = rules.filter((rule) => rule.module.name === kind.name);
  if (using.length === 0) return `Not used by ${set}.`;
  if (using.length === 1 && using[0]!.id === kind.name) return `Severity in ${set}: **${using[0]!.severity}**.`;
  const named = using.map((rule) => `\`${rule.id}\` (**${rule.severity}**)`);
  const list = named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
  const times = using.length === 1 ? 'once' : using.length === 2 ? 'twice' : `${using.length} times`;
  return `Used by ${set} ${times}: ${list}.`;
}

const DEFAULT_SET = 'the default set';

/** The opening of a kind's page, from its meta: the title, the description and where `set` uses it. */
export function ruleDocsHeader(kind: RuleModule, rules: readonly RuleDefinition[], set = DEFAULT_SET): string {
  return `# ${kind.name}\n\n${kind.meta.docs.description} ${severityLine(kind, rules, set)}\n`;
}

/** The options a kind takes: the top-level properties of its (first) options schema. */
function optionNames(kind: RuleModule): string[] {
  const schema = kind.meta.schema[0] as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

/** Code spans are written freely in pages and not in meta; line breaks are the page's own. */
const normalize = (text: string): string => text.replace(/`/g, '').replace(/\s+/g, ' ').trim();

/** What is wrong with one page against its kind's meta (empty when it agrees). */
export function ruleDocsProblems(kind: RuleModule, page: string, rules: readonly RuleDefinition[], set = DEFAULT_SET): string[] {
  const problems: string[] = [];
  const header = ruleDocsHeader(kind, rules, set);
  const end = page.indexOf('\n## ');
  const opening = end < 0 ? page : page.slice(0, end);
  if (normalize(opening) !== normalize(header)) problems.push(`does not open with:\n${header}`);
  for (const section of ['## Rule details', '## Options']) {
    if (!page.includes(`\n${section}\n`)) problems.push(`has no "${section}" section`);
  }
  const options = page.split('\n## Options\n')[1]?.split('\n## ')[0] ?? '';
  for (const name of optionNames(kind)) {
    if (!options.includes(`\`${name}\``)) problems.push(`"## Options" does not describe the option \`${name}\``);
  }
  return problems;
}

/**
 * Every kind's page against its meta, and no page without a kind. `root` is the folder that
 * meta.docs.url is relative to (the package, or the repository for the default set).
 */
export function ruleDocsProblemsIn(root: string, kinds: readonly RuleModule[], rules: readonly RuleDefinition[], set = DEFAULT_SET): string[] {
  const problems: string[] = [];
  for (const kind of kinds) {
    const path = join(root, kind.meta.docs.url);
    if (!existsSync(path)) problems.push(`${kind.name}: no page at ${kind.meta.docs.url}`);
    else problems.push(...ruleDocsProblems(kind, readFileSync(path, 'utf8'), rules, set).map((problem) => `${kind.meta.docs.url} ${problem}`));
  }
  const docsDir = join(root, 'docs', 'rules');
  const names = new Set(kinds.map((kind) => kind.name));
  for (const page of existsSync(docsDir) ? readdirSync(docsDir).filter((f) => f.endsWith('.md')) : []) {
    if (!names.has(page.slice(0, -3))) problems.push(`docs/rules/${page} documents no rule kind`);
  }
  return problems.sort();
}
