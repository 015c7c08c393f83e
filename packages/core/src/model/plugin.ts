import type { PluginFile } from '../schemas/index.js';
import type { SourceFile } from '../load/yaml-source.js';
import { InputError } from '../load/input-error.js';
import { placeOf } from '../load/yaml-source.js';
import type { Location } from './location.js';
import { at, stateCatalog, type StateDeclaration } from './profile.js';

export interface Phase {
  id: string;
  summary?: string;
  call: string;
  initializes: string[];
  registers: string[];
  undo?: string;
  canFail: boolean;
  unwinds: string[];
  location: Location;
  /** Where each `unwinds` entry is written, by phase id. */
  unwindLocations: Map<string, Location>;
}

export interface ModuleInit {
  init: string;
  file: string;
  summary?: string;
  phases: Phase[];
  location: Location;
}

export interface Requirement {
  state: string;
  via: string[];
  location: Location;
}

export interface HookImplementation {
  role: string;
  impl: string;
  via: string[];
  file?: string;
  noop: boolean;
  requires: Requirement[];
  initializes: string[];
  location: Location;
}

export interface Plugin {
  id: string;
  summary: string;
  kernel: string;
  /** The variant applied, if any (see --variant). */
  variant?: string;
  variants: string[];
  file: string;
  location: Location;
  modules: ModuleInit[];
  hooks: Map<string, HookImplementation>;
  state: Map<string, StateDeclaration>;
}

type ModuleFile = PluginFile['modules'][number];
type HooksFile = PluginFile['hooks'];

function modulesFrom(source: SourceFile, pointer: string, modules: readonly ModuleFile[]): ModuleInit[] {
  return modules.map((module, m) => ({
    init: module.init,
    file: module.file,
    ...(module.summary ? { summary: module.summary } : {}),
    location: at(source, `${pointer}/${m}`),
    phases: module.phases.map((phase, p) => {
      const base = `${pointer}/${m}/phases/${p}`;
      const unwinds = phase.unwinds ?? [];
      return {
        id: phase.id,
        ...(phase.summary ? { summary: phase.summary } : {}),
        call: phase.call,
        initializes: phase.initializes ?? [],
        registers: phase.registers ?? [],
        ...(phase.undo ? { undo: phase.undo } : {}),
        canFail: phase.canFail ?? false,
        unwinds,
        location: at(source, base),
        unwindLocations: new Map(unwinds.map((id, u) => [id, at(source, `${base}/unwinds/${u}`)])),
      };
    }),
  }));
}

function hooksFrom(source: SourceFile, pointer: string, hooks: HooksFile | undefined): Map<string, HookImplementation> {
  const result = new Map<string, HookImplementation>();
  for (const [role, hook] of Object.entries(hooks ?? {})) {
    const base = `${pointer}/${role}`;
    result.set(role, {
      role,
      impl: hook.impl,
      via: hook.via ?? [],
      ...(hook.file ? { file: hook.file } : {}),
      noop: hook.noop ?? false,
      requires: (hook.requires ?? []).map((req, i) => {
        const entry = typeof req === 'string' ? { state: req } : req;
        return { state: entry.state, via: entry.via ?? [], location: at(source, `${base}/requires/${i}`) };
      }),
      initializes: hook.initializes ?? [],
      location: at(source, pointer, role),
    });
  }
  return result;
}

/**
 * The plugin as the engine sees it. With `variant`, the variant's modules replace the base
 * ones and its hooks and state are laid over the base catalogs, key by key.
 */
export function pluginFromFile(file: PluginFile, source: SourceFile, variant?: string): Plugin {
  const plugin: Plugin = {
    id: file.id,
    summary: file.summary,
    kernel: file.kernel,
    variants: Object.keys(file.variants ?? {}),
    file: source.path,
    location: at(source, '/id'),
    modules: modulesFrom(source, '/modules', file.modules),
    hooks: hooksFrom(source, '/hooks', file.hooks),
    state: stateCatalog(source, '/state', file.state),
  };
  if (variant === undefined) return plugin;
  const chosen = file.variants?.[variant];
  if (!chosen) {
    const known = plugin.variants.length > 0 ? plugin.variants.join(', ') : 'none';
    throw new InputError(`plugin ${file.id} has no variant "${variant}" (variants: ${known})`, placeOf(source, '/variants'));
  }
  const base = `/variants/${variant}`;
  plugin.variant = variant;
  if (chosen.modules) plugin.modules = modulesFrom(source, `${base}/modules`, chosen.modules);
  for (const [role, hook] of hooksFrom(source, `${base}/hooks`, chosen.hooks)) plugin.hooks.set(role, hook);
  for (const [name, state] of stateCatalog(source, `${base}/state`, chosen.state)) plugin.state.set(name, state);
  return plugin;
}

/** The phase that calls kvm_init() (or whichever call a rule names). */
export function phaseCalling(module: ModuleInit, call: string): Phase | undefined {
  return module.phases.find((phase) => phase.call === call);
}
