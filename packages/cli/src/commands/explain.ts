import { existsSync, readFileSync } from 'node:fs';
import { displayPath, InputError, unknownNameHint } from '@kvm-rules/core';
import { loadProject } from '../project.js';

export async function runExplain(id: string, options: { plugin: string[]; rulesDir: string[] }): Promise<string> {
  const project = await loadProject({ plugins: options.plugin, rulesDirs: options.rulesDir });
  const rule = project.rules.find((r) => r.id === id);
  if (!rule) throw new InputError(`unknown rule "${id}"${unknownNameHint(id, project.rules.map((r) => r.id).sort(), 'rules')}`);
  const { meta, name } = rule.module;
  const page = project.docsOf(name);
  const lines = [
    `${rule.id} (${rule.severity}) — ${rule.summary}`,
    '',
    `kind:     ${name} (${meta.type}): ${meta.docs.description}`,
    `defined:  ${rule.file}`,
    `docs:     ${page ? displayPath(page) : meta.docs.url}`,
  ];
  if (rule.options.length > 0) lines.push(`options:  ${JSON.stringify(rule.options[0])}`);
  lines.push('', 'messages:', ...Object.entries(meta.messages).map(([messageId, text]) => `  ${messageId}: ${text}`));
  if (page && existsSync(page)) lines.push('', readFileSync(page, 'utf8').trimEnd());
  return lines.join('\n') + '\n';
}
