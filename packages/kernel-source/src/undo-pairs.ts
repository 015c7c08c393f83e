// Which call undoes which, by name: the last resort of the unwinding analysis (the module's
// exit and the code's own failure paths come first), and how an undo found on a failure path or
// in an exit is matched to the step it undoes. One table for every arch; a plugin adds its own
// pairs (`undoPairs` in plugin.yaml) for names this table does not know.

import type { UndoPair } from '@kvm-rules/core';

export type { UndoPair };

export const UNDO_PAIRS: readonly UndoPair[] = [
  { setup: 'kvm_init', undo: 'kvm_exit' },
  { setup: 'register_*', undo: 'unregister_*' },
  { setup: 'register_*', undo: 'deregister_*' },
  { setup: '*_register', undo: '*_unregister' },
  { setup: '*_register', undo: '*_deregister' },
  { setup: '*_register_*', undo: '*_unregister_*' },
  { setup: '*_init', undo: '*_exit' },
  { setup: '*_init', undo: '*_deinit' },
  { setup: '*_init', undo: '*_uninit' },
  { setup: '*_init', undo: '*_free' },
  { setup: '*_init', undo: '*_destroy' },
  { setup: '*_init', undo: '*_cleanup' },
  { setup: 'init_*', undo: 'teardown_*' },
  { setup: 'init_*', undo: 'exit_*' },
  { setup: '*_setup', undo: '*_teardown' },
  { setup: '*_setup', undo: '*_unsetup' },
  { setup: '*_setup', undo: '*_cleanup' },
  { setup: '*_setup_*', undo: '*_teardown_*' },
  { setup: '*_setup_*', undo: '*_cleanup_*' },
  { setup: '*_create', undo: '*_destroy' },
  { setup: '*_create_*', undo: '*_destroy_*' },
  { setup: 'create_*', undo: 'destroy_*' },
  { setup: '*_alloc', undo: '*_free' },
  { setup: '*_alloc_*', undo: '*_free_*' },
  { setup: 'alloc_*', undo: 'free_*' },
  { setup: '*_enable', undo: '*_disable' },
  { setup: 'cpuhp_setup_state*', undo: 'cpuhp_remove_state*' },
  { setup: 'misc_register', undo: 'misc_deregister' },
  { setup: 'request_irq', undo: 'free_irq' },
  { setup: 'request_percpu_irq', undo: 'free_percpu_irq' },
  { setup: 'kmalloc*', undo: 'kfree', allocates: true },
  { setup: 'kzalloc*', undo: 'kfree', allocates: true },
  { setup: 'kcalloc*', undo: 'kfree', allocates: true },
  { setup: 'vmalloc*', undo: 'vfree', allocates: true },
  { setup: 'vzalloc*', undo: 'vfree', allocates: true },
  { setup: 'alloc_percpu*', undo: 'free_percpu', allocates: true },
  { setup: '__alloc_percpu*', undo: 'free_percpu', allocates: true },
  { setup: '__get_free_pages', undo: 'free_pages', allocates: true },
  { setup: 'get_zeroed_page', undo: 'free_page', allocates: true },
  { setup: 'alloc_pages*', undo: '__free_pages', allocates: true },
  { setup: '__alloc_pages*', undo: '__free_pages', allocates: true },
  { setup: 'kmem_cache_create*', undo: 'kmem_cache_destroy', allocates: true },
  { setup: 'alloc_workqueue', undo: 'destroy_workqueue', allocates: true },
  { setup: 'zalloc_cpumask_var*', undo: 'free_cpumask_var', allocates: true },
  { setup: 'alloc_cpumask_var*', undo: 'free_cpumask_var', allocates: true },
  { setup: 'debugfs_create_dir', undo: 'debugfs_remove*' },
  { setup: 'debug_register', undo: 'debug_unregister' },
];

interface Compiled {
  setup: RegExp;
  undo: string;
  undoPattern: RegExp;
  allocates: boolean;
}

const cache = new WeakMap<readonly UndoPair[], Compiled[]>();

function pattern(text: string): RegExp {
  return new RegExp(
    `^${text
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('(\\w*?)')}$`,
  );
}

function compiled(pairs: readonly UndoPair[]): Compiled[] {
  let list = cache.get(pairs);
  if (!list) {
    list = pairs.map((pair) => ({ setup: pattern(pair.setup), undo: pair.undo, undoPattern: pattern(pair.undo), allocates: pair.allocates ?? false }));
    cache.set(pairs, list);
  }
  return list;
}

/** An arch's table: the shared one and its plugin's own pairs. */
export function undoPairsWith(extra: readonly UndoPair[] | undefined): readonly UndoPair[] {
  return extra && extra.length > 0 ? [...extra, ...UNDO_PAIRS] : UNDO_PAIRS;
}

const partnerCache = new WeakMap<readonly UndoPair[], Map<string, string[]>>();

/** The names that undo `name` (kvm_exit for kvm_init, teardown_hyp_mode for init_hyp_mode); a `*` left means any text. */
export function partnersOf(name: string, pairs: readonly UndoPair[] = UNDO_PAIRS): string[] {
  let known = partnerCache.get(pairs);
  if (!known) partnerCache.set(pairs, (known = new Map<string, string[]>()));
  let partners = known.get(name);
  if (!partners) known.set(name, (partners = findPartners(name, pairs)));
  return partners;
}

function findPartners(name: string, pairs: readonly UndoPair[]): string[] {
  const partners: string[] = [];
  for (const pair of compiled(pairs)) {
    const match = pair.setup.exec(name);
    if (!match) continue;
    let i = 1;
    const partner = pair.undo.replace(/\*/g, () => match[i++] ?? '*');
    if (partner !== name && !partners.includes(partner)) partners.push(partner);
  }
  return partners;
}

/** Whether `undo` is one of the names that undo `setup`. */
export function undoes(undo: string, setup: string, pairs: readonly UndoPair[] = UNDO_PAIRS): boolean {
  return partnersOf(setup, pairs).some((partner) => (partner.includes('*') ? pattern(partner).test(undo) : partner === undo));
}

const undoNames = new WeakMap<readonly UndoPair[], Map<string, boolean>>();

/** A name on the undo side of some pair (kfree, unregister_*, *_exit, debugfs_remove_recursive…). */
export function isUndoName(name: string, pairs: readonly UndoPair[] = UNDO_PAIRS): boolean {
  let known = undoNames.get(pairs);
  if (!known) undoNames.set(pairs, (known = new Map<string, boolean>()));
  let answer = known.get(name);
  if (answer === undefined) known.set(name, (answer = compiled(pairs).some((pair) => pair.undoPattern.test(name))));
  return answer;
}

const allocators = new Map<string, boolean>();

/** A call that allocates memory, whose result must be freed (the shared table's allocators). */
export function isAllocator(name: string): boolean {
  let answer = allocators.get(name);
  if (answer === undefined) allocators.set(name, (answer = compiled(UNDO_PAIRS).some((pair) => pair.allocates && pair.setup.test(name))));
  return answer;
}
