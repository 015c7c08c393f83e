// A plugin manifest as the engine sees it: the Plugin model built from the parsed file, every
// entry located at its place in the file, for one kernel version and variant.
import type { PluginFile } from '../schemas/index.js';
import { closestKernelVersion, compareKernelVersions } from '../model/kernel-version.js';
import type { HookImplementation, ModuleInit, Phase, Plugin } from '../model/plugin.js';
import { InputError } from './input-error.js';
import { at, stateCatalog } from './profile-from-file.js';
import { placeOf, type SourceFile } from './yaml-source.js';

type ModuleFile = PluginFile['modules'][number];
type HooksFile = PluginFile['hooks'];

function modulesFrom(source: SourceFile, pointer: string, modules: readonly ModuleFile[]): ModuleInit[] {
  return modules.map((module, m) => {
    const location = at(source, `${pointer}/${m}`);
    const phases = module.phases.map((phase, p): Phase => {
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
    });
    return {
      init: module.init,
      file: module.file,
      ...(module.summary ? { summary: module.summary } : {}),
      location,
      phases,
    };
  });
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
      ...(hook.summary ? { summary: hook.summary } : {}),
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
 * The plugin as the engine sees it, for kernel version `kernel` (default: the manifest's own).
 * An older kernel takes the closest `versions` entry laid over the top-level declarations;
 * with `variant`, the variant is laid over that. Laying over replaces `modules` whole and
 * sets `hooks` and `state` key by key.
 */
export function pluginFromFile(file: PluginFile, source: SourceFile, variant?: string, kernel?: string): Plugin {
  const kernels = [file.kernel, ...Object.keys(file.versions ?? {})];
  const patched = variant === undefined ? undefined : file.variants?.[variant]?.kernel;
  const wanted = patched ?? kernel;
  const version = wanted === undefined ? file.kernel : closestKernelVersion(kernels, wanted);
  const plugin: Plugin = {
    id: file.id,
    summary: file.summary,
    kernel: version,
    kernels: oldestFirst(kernels),
    variants: Object.keys(file.variants ?? {}),
    file: source.path,
    location: at(source, '/id'),
    modules: modulesFrom(source, '/modules', file.modules),
    hooks: hooksFrom(source, '/hooks', file.hooks),
    state: stateCatalog(source, '/state', file.state),
    ...(file.undoPairs ? { undoPairs: file.undoPairs.map((pair) => ({ ...pair })) } : {}),
  };
  const overlay = version === file.kernel ? undefined : file.versions?.[version];
  if (overlay) layOver(plugin, source, `/versions/${version}`, overlay);
  if (variant === undefined) return plugin;
  const chosen = file.variants?.[variant];
  if (!chosen) {
    const known = plugin.variants.length > 0 ? plugin.variants.join(', ') : 'none';
    throw new InputError(`plugin ${file.id} has no variant "${variant}" (variants: ${known})`, placeOf(source, '/variants'));
  }
  plugin.variant = variant;
  layOver(plugin, source, `/variants/${variant}`, chosen);
  return plugin;
}

interface Overlay {
  modules?: readonly ModuleFile[];
  hooks?: HooksFile;
  state?: PluginFile['state'];
}

function layOver(plugin: Plugin, source: SourceFile, base: string, overlay: Overlay): void {
  if (overlay.modules) plugin.modules = modulesFrom(source, `${base}/modules`, overlay.modules);
  for (const [role, hook] of hooksFrom(source, `${base}/hooks`, overlay.hooks)) plugin.hooks.set(role, hook);
  for (const [name, state] of stateCatalog(source, `${base}/state`, overlay.state)) plugin.state.set(name, state);
}

function oldestFirst(versions: string[]): string[] {
  return [...versions].sort(compareKernelVersions);
}
