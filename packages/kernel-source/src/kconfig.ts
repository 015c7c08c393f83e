// Which configuration a KVM module is built in: the Kconfig symbol whose objects include the
// module's file (read from the directory's Makefile), and what that symbol is sure to enable
// with it (its unconditional `select`s and the symbols it `depends on`, from the Kconfig files of
// the arch's KVM directory and virt/kvm). kvmppc_booke_init() allocates under
// `#ifndef CONFIG_KVM_BOOKE_HV`, which KVM_E500MC selects: in the e500mc module it allocates
// nothing, in the e500 module it does.
import { dirname, posix } from 'node:path';
import type { KernelTree } from './kernel-tree.js';

export interface ModuleConfig {
  /** The Kconfig symbol that builds the module (CONFIG_KVM_E500MC), when the Makefile names one. */
  symbol: string | undefined;
  /** Symbols enabled whenever the module is built, CONFIG_ prefix included. */
  enabled: Set<string>;
  /** The symbol's type line: `tristate` can be a module loaded at run time; `bool` is built in only. */
  type?: { loadable: boolean; file: string; line: number; text: string };
}

const NONE: ModuleConfig = { symbol: undefined, enabled: new Set() };

const known = new WeakMap<KernelTree, Map<string, ModuleConfig>>();

/** The configuration a module file is built in; none known when the Makefile or Kconfig say nothing of it. */
export function moduleConfig(tree: KernelTree, file: string): ModuleConfig {
  let configs = known.get(tree);
  if (!configs) known.set(tree, (configs = new Map<string, ModuleConfig>()));
  let config = configs.get(file);
  if (!config) configs.set(file, (config = readModuleConfig(tree, file)));
  return config;
}

function readModuleConfig(tree: KernelTree, file: string): ModuleConfig {
  const symbol = buildingSymbol(tree, file);
  if (!symbol) return NONE;
  const entries = kconfigEntries(tree, [kvmDirOf(file), 'virt/kvm']);
  const enabled = new Set<string>();
  const queue = [symbol];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (enabled.has(`CONFIG_${name}`)) continue;
    enabled.add(`CONFIG_${name}`);
    queue.push(...(entries.get(name) ?? []));
  }
  const type = symbolType(tree, [kvmDirOf(file), 'virt/kvm'], symbol);
  return { symbol: `CONFIG_${symbol}`, enabled, ...(type ? { type } : {}) };
}

/** `config KVM` followed by `bool "…"` (or `tristate`, `def_bool`, `def_tristate`), where the symbol is defined. */
function symbolType(tree: KernelTree, dirs: string[], symbol: string): ModuleConfig['type'] {
  for (const dir of dirs) {
    const file = `${dir}/Kconfig`;
    const lines = tree.readText(file)?.split('\n') ?? [];
    for (let i = 0; i < lines.length; i++) {
      if (!new RegExp(`^\\s*(?:menu)?config\\s+${symbol}\\s*$`).test(lines[i]!)) continue;
      for (let j = i + 1; j < lines.length && !/^\s*(?:menu)?config\s|^\s*(?:endmenu|endif|if|menu|source)\b/.test(lines[j]!); j++) {
        const type = /^\s+(def_)?(bool|tristate)\b/.exec(lines[j]!);
        if (type) return { loadable: type[2] === 'tristate', file, line: j + 1, text: lines[j]!.trim() };
      }
    }
  }
  return undefined;
}

function kvmDirOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'arch' && parts.length > 3 ? parts.slice(0, 3).join('/') : dirname(file);
}

/** Makefile text with continuation lines joined. */
function makefileLines(tree: KernelTree, dir: string): string[] {
  const text = tree.readText(`${dir}/Makefile`);
  return text ? text.replace(/\\\n/g, ' ').split('\n') : [];
}

/**
 * The symbol of `obj-$(CONFIG_X) += name.o` for the object that holds the file, through at most
 * two lists (`kvm-intel-y += vmx/vmx.o`, then `obj-$(CONFIG_KVM_INTEL) += kvm-intel.o`;
 * `kvm-e500mc-objs := … e500mc.o …`, then `kvm-objs-$(CONFIG_KVM_E500MC) := $(kvm-e500mc-objs)`).
 */
function buildingSymbol(tree: KernelTree, file: string): string | undefined {
  const dir = kvmDirOf(file);
  const lines = makefileLines(tree, dir);
  let wanted = [posix.relative(dir, file).replace(/\.c$/, '.o')];
  for (let hop = 0; hop < 3 && wanted.length > 0; hop++) {
    const next: string[] = [];
    for (const line of lines) {
      const assignment = /^\s*([\w.-]+?)(?:-\$\(CONFIG_(\w+)\))?\s*(?::=|\+=|=)\s*(.*)$/.exec(line);
      if (!assignment) continue;
      const [, name = '', symbol, value = ''] = assignment;
      if (!wanted.some((w) => value.trim().split(/\s+/).includes(w))) continue;
      if (symbol) return symbol;
      next.push(`${name.replace(/-(?:y|objs)$/, '')}.o`, `$(${name})`);
    }
    wanted = next;
  }
  return undefined;
}

/** The plain symbols joined by `&&` at the top level of a dependency: those it cannot be without. */
function sureConjuncts(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const text = expression.replace(/#.*$/, '');
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (i === text.length || (depth === 0 && text.startsWith('&&', i))) {
      parts.push(text.slice(start, i).trim());
      start = i + 2;
    }
  }
  // A top-level `||` anywhere makes no part sure.
  if (parts.length === 1 && parts[0]!.replace(/\([^()]*\)/g, '').includes('||')) return [];
  return parts.filter((part) => /^\w+$/.test(part));
}

/** Each Kconfig symbol with what it surely brings: unconditional selects and the symbols its dependencies require. */
function kconfigEntries(tree: KernelTree, dirs: string[]): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const dir of dirs) {
    const text = tree.readText(`${dir}/Kconfig`);
    if (!text) continue;
    let current: string[] | undefined;
    for (const line of text.split('\n')) {
      const config = /^\s*(?:menu)?config\s+(\w+)/.exec(line);
      if (config) {
        current = entries.get(config[1]!) ?? [];
        entries.set(config[1]!, current);
        continue;
      }
      if (!current) continue;
      const select = /^\s+select\s+(\w+)\s*$/.exec(line);
      if (select) current.push(select[1]!);
      const depends = /^\s+depends on\s+(.+)$/.exec(line);
      // `depends on A && (B || C)`: A is there whenever this is; `B || C` tells nothing sure.
      if (depends) current.push(...sureConjuncts(depends[1]!));
    }
  }
  return entries;
}
