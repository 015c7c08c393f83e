// Checking a tree never runs its code: a kvm-rules.config.mjs or .js at the --kernel tree's root
// is not imported (not even from a working directory inside the tree); a JSON or YAML config
// there is still used. An executable config is loaded from the working directory's lookup, or
// from --config.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PrintedConfig } from '../src/config.js';

const bin = fileURLToPath(new URL('../bin/kvm-rules.js', import.meta.url));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kvm-rules-config-trust-'));
}

/** A config module that leaves a file behind when it is imported. */
function plantModule(dir: string, name: string): string {
  const marker = join(dir, `${name}.ran`);
  writeFileSync(
    join(dir, name),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { rules: { 'plugin-drift': 'error' } };\n`,
  );
  return marker;
}

function printConfig(cwd: string, ...args: string[]): PrintedConfig {
  const result = spawnSync(process.execPath, [bin, 'check', '--print-config', ...args], { encoding: 'utf8', cwd });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as PrintedConfig;
}

describe("config: a kernel tree's code is never run", () => {
  for (const name of ['kvm-rules.config.mjs', 'kvm-rules.config.js']) {
    it(`${name} at the --kernel tree's root is not imported`, () => {
      const tree = tempDir();
      const marker = plantModule(tree, name);
      const config = printConfig(tempDir(), '--kernel', tree);
      expect(existsSync(marker)).toBe(false);
      expect(config.config).toBeNull();
    });
  }

  it('nor from a working directory inside the tree: there, only --config loads it', () => {
    const tree = tempDir();
    mkdirSync(join(tree, 'arch'));
    const marker = plantModule(tree, 'kvm-rules.config.mjs');
    expect(printConfig(tree, '--kernel', '.').config).toBeNull();
    expect(printConfig(join(tree, 'arch'), '--kernel', '..').config).toBeNull();
    expect(existsSync(marker)).toBe(false);
    const given = printConfig(tree, '--kernel', '.', '--config', 'kvm-rules.config.mjs');
    expect(existsSync(marker)).toBe(true);
    expect(given.rules['plugin-drift']?.severity).toBe('error');
  });

  it("a YAML or JSON config at the tree's root is still used, next to a module that is not", () => {
    for (const [name, text] of [
      ['kvm-rules.config.yaml', 'rules:\n  plugin-drift: error\n'],
      ['kvm-rules.config.json', '{ "rules": { "plugin-drift": "error" } }\n'],
    ] as const) {
      const tree = tempDir();
      const marker = plantModule(tree, 'kvm-rules.config.mjs');
      writeFileSync(join(tree, name), text);
      const config = printConfig(tempDir(), '--kernel', tree);
      expect(existsSync(marker)).toBe(false);
      expect(config.config).toBe(join(tree, name));
      expect(config.rules['plugin-drift']?.severity).toBe('error');
    }
  });

  it("the working directory's kvm-rules.config.mjs is loaded, with a --kernel tree elsewhere", () => {
    const cwd = tempDir();
    const marker = plantModule(cwd, 'kvm-rules.config.mjs');
    const config = printConfig(cwd, '--kernel', tempDir());
    expect(existsSync(marker)).toBe(true);
    expect(config.config).toBe('kvm-rules.config.mjs');
  });

  it('a YAML config found in the tree cannot name plugins (a plugin brings code: its rule kinds); --config can', () => {
    const tree = tempDir();
    const plugin = join(tree, 'tools', 'kvm-plugin');
    mkdirSync(plugin, { recursive: true });
    const marker = join(plugin, 'kinds.ran');
    writeFileSync(
      join(plugin, 'kinds.mjs'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const kinds = [];\n`,
    );
    writeFileSync(
      join(plugin, 'package.json'),
      JSON.stringify({ name: 'kvm-rules-plugin-planted', version: '1.0.0', type: 'module', 'kvm-rules': { apiVersion: 1, kinds: './kinds.mjs' } }),
    );
    writeFileSync(join(tree, 'kvm-rules.config.yaml'), 'plugins: [./tools/kvm-plugin]\n');
    for (const cwd of [tempDir(), tree]) {
      const result = spawnSync(process.execPath, [bin, 'check', '--print-config', '--kernel', tree], { encoding: 'utf8', cwd });
      expect(existsSync(marker)).toBe(false);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^kvm-rules: .*kvm-rules\.config\.yaml.*\/plugins.*--config.*\n$/);
    }
    printConfig(tempDir(), '--kernel', tree, '--config', join(tree, 'kvm-rules.config.yaml'));
    expect(existsSync(marker)).toBe(true);
  });
});
