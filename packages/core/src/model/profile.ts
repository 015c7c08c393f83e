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
