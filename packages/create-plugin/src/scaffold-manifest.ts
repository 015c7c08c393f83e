// A new arch plugin manifest (plugin.yaml), written from a kernel tree: the module inits of one
// KVM directory, derived by the same reading as `check --kernel` (analyzeKernel with a plugin
// that names only the modules), then rendered with a comment on every derived entry that says
// where in the source it comes from, for the maintainer to confirm.
import { statSync } from 'node:fs';
import { isAbsolute, join, posix } from 'node:path';
import type { HookImplementation, Location, ModuleInit, Phase, Plugin, Profile, StateDeclaration } from '@kvm-rules/core';
import { InputError, KVM_INIT, majorMinor, pluginSchema } from '@kvm-rules/core';
import { Document, isMap, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import { analyzeKernel, GENERIC_DIR, setupRoles, type ArchSource, type KernelTree } from '@kvm-rules/kernel-source';

export interface ScaffoldOptions {
  /** The new plugin's id (lower case, as the manifest schema wants it). */
  id: string;
  /** The arch's KVM directory in the tree (arch/loongarch/kvm): its own .c files, not its subdirectories. */
  archDir: string;
  /** The loaded profiles: they name the hooks of each kernel version (as for analyzeKernel). */
  profiles: Profile[];
  /** The modeline's `$schema`, relative to where plugin.yaml goes; by default a plugin repository's (docs/editor-schemas.md). */
  schema?: string;
}

export interface ScaffoldedManifest {
  /** The plugin.yaml text: the same tree gives the same bytes. */
  yaml: string;
  /** What the manifest declares, located in kernel source. */
  plugin: Plugin;
  /** What the maintainer should know beyond the `# derived: confirm` marks. */
  notes: string[];
}

const PLUGIN_REPOSITORY_SCHEMA = './node_modules/@kvm-rules/core/schemas/plugin.schema.json';
const CONFIRM = 'derived: confirm';
/** kvm_init()'s counterpart in the generic API: module exit, or a later failure, calls it. */
const KVM_EXIT = 'kvm_exit';

const where = (location: Location) => `${location.file}:${location.line}`;
const confirm = (location: Location) => ` ${CONFIRM}, ${where(location)}`;

/** Writes plugin.yaml for the module inits of `options.archDir` that call kvm_init(), as the tree has them. */
export async function scaffoldManifest(tree: KernelTree, options: ScaffoldOptions): Promise<ScaffoldedManifest> {
  const id = checkedId(options.id);
  const dir = checkedDir(tree, options.archDir);
  const kernel = majorMinor(tree.version);
  const declared = moduleInitsIn(tree, dir);
  const minimal: Plugin = {
    id,
    summary: `KVM in ${dir}`,
    kernel,
    kernels: [kernel],
    variants: [],
    file: 'plugin.yaml',
    location: { file: 'plugin.yaml', line: 1, column: 1 },
    modules: declared.map((m) => {
      const location = { file: m.file, line: 1, column: 1 };
      return { ...m, phases: [], location };
    }),
    hooks: new Map(),
    state: new Map(),
  };
  const analysis = await analyzeKernel(tree, { plugins: [minimal], profiles: options.profiles });
  const derived = analysis.plugins[0]!;
  const problems = derived.source?.problems ?? [];
  const error = problems.find((p) => p.severity === 'error');
  if (error) throw new InputError(error.message, { file: error.location.file, line: error.location.line, column: error.location.column });
  const notes = problems.map((p) => `${p.location.file}:${p.location.line}: ${p.message}`);

  const source = analysis.sources[0]!;
  const relevant = relevantState(source, derived.state);
  const modules: ModuleInit[] = [];
  derived.modules.forEach((module) => {
    if (module.phases.some((p) => p.call === KVM_INIT)) modules.push(scaffoldModule(module, dir, relevant, notes));
    else
      notes.push(
        `${module.file}:${module.location.line}: module_init(${module.init}) does not call kvm_init() on its success path: not a KVM module init, left out`,
      );
  });
  if (modules.length === 0) {
    const inits = derived.modules.map((m) => `${m.init}() in ${m.file}`).join(', ');
    throw new InputError(`--arch-dir: no module init in ${dir} calls kvm_init() (${inits})`);
  }
  // What a hook writes initializes state only for a setup hook (one kvm_init() calls once, on one CPU).
  const setup = setupRoles(analysis.profile);
  const hooks = new Map(
    [...derived.hooks].map(([role, hook]) => [role, { ...hook, initializes: setup.has(role) ? hook.initializes.filter(relevant.relevant) : [] }]),
  );
  const plugin: Plugin = { ...derived, summary: minimal.summary, kernel, kernels: [kernel], modules, hooks, state: usedState(derived.state, modules, hooks) };
  delete plugin.source;
  return { yaml: render(plugin, tree.version, dir, options.schema ?? PLUGIN_REPOSITORY_SCHEMA), plugin, notes };
}

/**
 * State the ordering rules can use: the arch's own (not virt/kvm's), and touched by one of its
 * hooks. Module init writes much more (x86's vendor init some ninety variables); the rest is left out.
 */
function relevantState(source: ArchSource, state: Map<string, StateDeclaration>): StateFilter {
  const touched = new Set(source.hooks.flatMap((hook) => hook.reads.map((read) => read.state)));
  const generic = (name: string) => state.get(name)?.location.file.startsWith(GENERIC_DIR) ?? true;
  return { relevant: (name) => touched.has(name) && !generic(name), generic };
}

interface StateFilter {
  relevant: (name: string) => boolean;
  /** virt/kvm's state, which belongs to the generic ordering. */
  generic: (name: string) => boolean;
}

function checkedId(id: string): string {
  if (!new RegExp(pluginSchema.properties.id.pattern).test(id)) {
    throw new InputError(`plugin id "${id}" is not a lower-case id (letters, digits, dot, dash, underscore; such as "loongarch")`);
  }
  return id;
}

/** `arch/x/kvm`, as a tree-relative directory without a trailing slash; anything else is bad input. */
function checkedDir(tree: KernelTree, archDir: string): string {
  const dir = posix.normalize(archDir.split('\\').join('/')).replace(/\/+$/, '');
  if (isAbsolute(archDir) || dir === '.' || dir.startsWith('../') || dir === '..') {
    throw new InputError(`--arch-dir: ${archDir} must be a directory inside the kernel tree, relative to its root (such as arch/loongarch/kvm)`);
  }
  let isDir = false;
  try {
    isDir = statSync(join(tree.root, dir)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InputError(`--arch-dir: ${dir} is not a directory of the kernel tree at ${tree.root}`);
  return dir;
}

/** Every module_init() of the directory's own .c files; with none, the subdirectories that have some are named. */
function moduleInitsIn(tree: KernelTree, dir: string): { init: string; file: string }[] {
  const found = tree.cFiles(dir, false).flatMap((file) => tree.index(file).moduleInits.map((m) => ({ init: m.name, file })));
  if (found.length > 0) return found;
  const unread = tree.diagnostics.find((d) => d.severity === 'error' && d.place.file.startsWith(`${dir}/`));
  const below = [
    ...new Set(
      tree
        .cFiles(dir, true)
        .filter((file) => tree.index(file).moduleInits.length > 0)
        .map((file) => posix.dirname(file)),
    ),
  ];
  const many = below.length > 1;
  const hint =
    below.length > 0 ? `; ${below.join(', ')} ${many ? 'do' : 'does'}: give ${many ? 'one of them' : 'that directory'}` : unread ? ` (${unread.message})` : '';
  throw new InputError(`--arch-dir: no .c file in ${dir} has a module_init()${hint}`);
}

/** The module as derived, with short phase ids; its undo steps and unwinding are the derivation's. */
function scaffoldModule(module: ModuleInit, dir: string, state: StateFilter, notes: string[]): ModuleInit {
  const { relevant, generic } = state;
  const prefixes = idPrefixes(module.init, dir);
  const ids = new Set<string>();
  // A message printed on the way is not init work.
  const kept = module.phases.filter((phase) => !reports(phase.call));
  const shortIds = kept.map((phase) => uniqueId(ids, phaseId(phase, prefixes)));
  const short = new Map(kept.map((phase, i) => [phase.id, shortIds[i]!]));
  const phases = kept.map((phase, i): Phase => {
    const id = shortIds[i]!;
    const undoCall = phase.call === KVM_INIT ? KVM_EXIT : phase.undo;
    const initializes = phase.initializes.filter(relevant);
    const left = phase.initializes.filter((name) => !relevant(name) && !generic(name));
    if (left.length > 0) {
      const some = left.length > 4 ? `${left.slice(0, 4).join(', ')}, …` : left.join(', ');
      notes.push(
        `${where(phase.location)}: phase "${id}" also writes ${left.length} variable${left.length > 1 ? 's' : ''} no hook of the arch touches (${some}): left out of its initializes`,
      );
    }
    return {
      ...phase,
      id,
      ...(phase.summary?.startsWith('(') ? { summary: `if ${phase.summary}` } : {}),
      ...(undoCall ? { undo: undoCall } : {}),
      initializes,
      unwinds: phase.unwinds.flatMap((unwound) => short.get(unwound) ?? []),
      unwindLocations: new Map(),
    };
  });
  // What a manifest declares: its failure points follow from the phases (declaredUnwinding()).
  return { init: module.init, file: module.file, location: module.location, phases };
}

/** `base`, or `base-2`, `base-3`… when taken: the short ids a maintainer reads and edits. */
function uniqueId(ids: Set<string>, base: string): string {
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
  ids.add(id);
  return id;
}

/** What the arch names its functions with: kvm_loongarch_ (from kvm_loongarch_init), kvm_<arch>_, <arch>_kvm_. */
function idPrefixes(init: string, dir: string): string[] {
  const arch = dir.split('/')[1] ?? '';
  const own = init.replace(/init$/, '');
  return [...new Set([own, `kvm_${arch}_`, `${arch}_kvm_`, `kvm${arch}_`].filter((p) => p.length > 1 && p.endsWith('_')))].sort((a, b) => b.length - a.length);
}

/** `env-init` for kvm_loongarch_env_init(), `kvm-init` for kvm_init(), `assign-x` for `x = …`. */
function phaseId(phase: Phase, prefixes: string[]): string {
  const subject = { name: phase.call, assigns: phase.assigns ?? false };
  if (subject.name === KVM_INIT) return 'kvm-init';
  const prefix = prefixes.find((p) => subject.name.startsWith(p) && subject.name.length > p.length);
  const kebab = (prefix ? subject.name.slice(prefix.length) : subject.name).replace(/^_+/, '').replace(/_+/g, '-').toLowerCase() || 'step';
  return subject.assigns ? `assign-${kebab}` : kebab;
}

/** Calls that print a message: on the success path no phase, on a failure path no undo. */
const REPORTS = /^(?:pr_\w+|printk\w*|kvm_(?:err|info|debug|pr_unimpl)\w*|dev_(?:err|warn|info|dbg)\w*|WARN\w*|BUG\w*|dump_stack)$/;
const reports = (call: string | undefined) => call !== undefined && REPORTS.test(call);

/** The catalog entries the modules and hooks name, in the order the derivation met them. */
function usedState(state: Map<string, StateDeclaration>, modules: ModuleInit[], hooks: Map<string, HookImplementation>): Map<string, StateDeclaration> {
  const used = new Set<string>();
  for (const module of modules) for (const phase of module.phases) for (const name of [...phase.initializes, ...phase.registers]) used.add(name);
  for (const hook of hooks.values()) for (const name of [...hook.requires.map((r) => r.state), ...hook.initializes]) used.add(name);
  return new Map([...state].filter(([name]) => used.has(name)));
}

/** The manifest as YAML, with the header and a `# derived: confirm, file:line` on each derived entry. */
function render(plugin: Plugin, version: string, dir: string, schema: string): string {
  const doc = new Document({
    id: plugin.id,
    summary: plugin.summary,
    kernel: plugin.kernel,
    modules: plugin.modules.map((module) => ({
      init: module.init,
      file: module.file,
      phases: module.phases.map((phase) => ({
        id: phase.id,
        // The schema wants a summary of three characters or more.
        ...(phase.summary && phase.summary.length >= 3 ? { summary: phase.summary } : {}),
        call: phase.call,
        ...(phase.canFail ? { canFail: true } : {}),
        ...(phase.undo ? { undo: phase.undo } : {}),
        ...(phase.unwinds.length > 0 ? { unwinds: phase.unwinds } : {}),
        ...(phase.initializes.length > 0 ? { initializes: phase.initializes } : {}),
        ...(phase.registers.length > 0 ? { registers: phase.registers } : {}),
      })),
    })),
    hooks: Object.fromEntries(
      [...plugin.hooks.values()].map((hook) => [
        hook.role,
        {
          impl: hook.impl,
          ...(hook.file ? { file: hook.file } : {}),
          ...(hook.noop ? { noop: true } : {}),
          ...(hook.requires.length > 0 ? { requires: hook.requires.map((r) => ({ state: r.state, ...(r.via.length > 0 ? { via: r.via } : {}) })) } : {}),
          ...(hook.initializes.length > 0 ? { initializes: hook.initializes } : {}),
        },
      ]),
    ),
    state: Object.fromEntries(
      [...plugin.state.values()].map((s) => [s.name, { summary: s.summary, ...(s.kind ? { kind: s.kind } : {}), ...(s.static ? { static: true } : {}) }]),
    ),
  });
  doc.commentBefore = [
    ` yaml-language-server: $schema=${schema}`,
    ` Derived from Linux ${version} ${dir} by kvm-rules: the module init phases, the hook`,
    ' implementations and the state they need, as the tree has them. Every entry marked',
    ` \`# ${CONFIRM}\` must be checked by the maintainer against the source at the place it names;`,
    ' then write a summary for the arch and for each phase, hook and state.',
  ].join('\n');
  plugin.modules.forEach((module, m) => {
    comment(doc.getIn(['modules', m, 'init'], true), ` module_init(${module.init}), defined at ${where(module.location)}`);
    module.phases.forEach((phase, p) => {
      const why = phase.undo === KVM_EXIT && phase.call === KVM_INIT ? `; undo: kvm_exit is kvm_init()'s counterpart` : '';
      comment(doc.getIn(['modules', m, 'phases', p, 'id'], true), `${confirm(phase.location)}${why}`);
    });
  });
  for (const hook of plugin.hooks.values()) {
    comment(doc.getIn(['hooks', hook.role, 'impl'], true), confirm(hook.location));
    hook.requires.forEach((requirement, r) => {
      comment(doc.getIn(['hooks', hook.role, 'requires', r, 'state'], true), `${confirm(requirement.location)} (read here)`);
    });
  }
  const state = doc.get('state');
  if (isMap(state)) {
    for (const pair of state.items as Pair<YamlNode, YamlNode>[]) {
      const declaration = isScalar(pair.key) ? plugin.state.get(String(pair.key.value)) : undefined;
      if (declaration) comment(pair.key, `${confirm(declaration.location)} (defined here)`);
    }
  }
  flowLeaves(doc.contents);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function comment(node: unknown, text: string): void {
  if (isScalar(node)) node.comment = text;
}

/** Lists of names (initializes, unwinds, via) on one line, as hand-written manifests have them. */
function flowLeaves(node: unknown): void {
  if (isMap(node)) for (const pair of node.items) flowLeaves(pair.value);
  if (!isSeq(node)) return;
  if (node.items.every((item) => isScalar(item))) node.flow = true;
  else for (const item of node.items) flowLeaves(item);
}
