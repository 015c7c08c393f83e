import type { ProfileFile } from '../schemas/index.js';
import type { SourceFile } from '../load/yaml-source.js';
import type { RelatedLocation } from './finding.js';
import type { Location } from './location.js';
import type { Unwinding } from './unwinding.js';

export type CpuScope = 'one-cpu' | 'each-online-cpu';

export interface HookCallSpec {
  role: string;
  on: CpuScope;
  location: Location;
  /** Read from a tree: the generic calls from the kvm_init() statement down to the hook call. */
  chain?: RelatedLocation[];
}

export interface ProfileHook {
  role: string;
  name: string;
  weak: boolean;
  summary?: string;
  location: Location;
}

export interface StateDeclaration {
  name: string;
  summary: string;
  kind?: 'per-cpu' | 'global';
  static: boolean;
  location: Location;
}

export interface KvmInitStep {
  id: string;
  summary: string;
  calls: HookCallSpec[];
  rollback: HookCallSpec[];
  initializes: string[];
  exposes?: 'dev-kvm';
  location: Location;
}

/** What must happen for a lifecycle event to run its hooks (schemas/common.ts). */
export type HookWindow = 'userspace' | 'cpu-hotplug' | 'power';

export interface LifecycleEvent {
  id: string;
  summary: string;
  /** A kvm_init() step id, or "module-init". */
  from: string;
  window: HookWindow;
  calls: HookCallSpec[];
  location: Location;
}

export interface Profile {
  id: string;
  summary: string;
  kernel: string;
  proposal: boolean;
  source?: string;
  file: string;
  location: Location;
  hooks: Map<string, ProfileHook>;
  state: Map<string, StateDeclaration>;
  kvmInit: KvmInitStep[];
  lifecycle: LifecycleEvent[];
  /** Read from a tree's kvm_init(): where it can fail and what each failure path leaves set up. */
  unwinding?: Unwinding;
}

export const AFTER_MODULE_INIT = 'module-init';

export function at(source: SourceFile, pointer: string, key?: string): Location {
  return { file: source.path, ...source.locate(pointer, key) };
}

export function stateCatalog(
  source: SourceFile,
  pointer: string,
  entries: Record<string, { summary: string; kind?: 'per-cpu' | 'global'; static?: boolean }> | undefined,
): Map<string, StateDeclaration> {
  const catalog = new Map<string, StateDeclaration>();
  for (const [name, entry] of Object.entries(entries ?? {})) {
    catalog.set(name, {
      name,
      summary: entry.summary,
      ...(entry.kind ? { kind: entry.kind } : {}),
      static: entry.static ?? false,
      location: at(source, pointer, name),
    });
  }
  return catalog;
}

function hookCalls(source: SourceFile, pointer: string, calls: readonly { hook: string; on?: CpuScope }[] | undefined): HookCallSpec[] {
  return (calls ?? []).map((call, i) => ({
    role: call.hook,
    on: call.on ?? 'one-cpu',
    location: at(source, `${pointer}/${i}`),
  }));
}

export function profileFromFile(file: ProfileFile, source: SourceFile): Profile {
  const hooks = new Map<string, ProfileHook>();
  for (const [role, hook] of Object.entries(file.hooks)) {
    hooks.set(role, {
      role,
      name: hook.name,
      weak: hook.weak ?? false,
      ...(hook.summary ? { summary: hook.summary } : {}),
      location: at(source, '/hooks', role),
    });
  }
  return {
    id: file.id,
    summary: file.summary,
    kernel: file.kernel,
    proposal: file.proposal ?? false,
    ...(file.source ? { source: file.source } : {}),
    file: source.path,
    location: at(source, '/id'),
    hooks,
    state: stateCatalog(source, '/state', file.state),
    kvmInit: file.kvmInit.map((step, i) => ({
      id: step.id,
      summary: step.summary,
      calls: hookCalls(source, `/kvmInit/${i}/calls`, step.calls),
      rollback: hookCalls(source, `/kvmInit/${i}/rollback`, step.rollback),
      initializes: step.initializes ?? [],
      ...(step.exposes ? { exposes: step.exposes } : {}),
      location: at(source, `/kvmInit/${i}`),
    })),
    lifecycle: file.lifecycle.map((event, i) => ({
      id: event.id,
      summary: event.summary,
      from: event.from,
      window: event.window,
      calls: hookCalls(source, `/lifecycle/${i}/calls`, event.calls),
      location: at(source, `/lifecycle/${i}`),
    })),
  };
}
