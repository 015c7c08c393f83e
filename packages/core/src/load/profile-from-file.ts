// A profile file as the engine sees it: the Profile model built from the parsed file, every
// entry located at its place in the file.
import type { ProfileFile } from '../schemas/index.js';
import type { Location } from '../model/location.js';
import type { CpuScope, HookCallSpec, Profile, ProfileHook, StateDeclaration } from '../model/profile.js';
import type { SourceFile } from './yaml-source.js';

/** Where a JSON pointer (and a key of it) is in the file. */
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
