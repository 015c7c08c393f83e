// What a check needs from a kernel tree, as an interface: @kvm-rules/kernel-source implements it
// (its `kernelReader`), and core never imports kernel-source, so that a check of declarations
// does not load tree-sitter and core stays below the reader in the package graph.
import type { Location } from '../model/location.js';
import type { Plugin } from '../model/plugin.js';
import type { Profile } from '../model/profile.js';

export interface KernelReader {
  /** Opens the tree at `dir`; an InputError when it is not a Linux tree. */
  open(dir: string): KernelSource | Promise<KernelSource>;
}

/** An open tree. */
export interface KernelSource {
  /** Its top directory, absolute: finding locations are relative to it. */
  readonly root: string;
  /** Its full version, e.g. 6.12.118 (from the Makefile). */
  readonly version: string;
  /** Every file the reading depended on, with a hash of it (for --cache), as read so far. */
  readonly inputs: Record<string, string>;
  analyze(request: KernelReadRequest): Promise<KernelReading>;
}

export interface KernelReadRequest {
  /** Every plugin the tree's version has, as the manifests declare them: what is read, arch by arch. */
  plugins: Plugin[];
  /** Every loaded profile: hook roles by name across versions, and the fallback ordering. */
  profiles: Profile[];
  /** A profile asked for ("what if this tree had that ordering"), whose hooks are resolved in the tree too. */
  whatIf?: Profile;
  /** Told before each arch is read. */
  onArch?: (arch: string, index: number, total: number) => void;
}

export interface KernelReading {
  /** The tree's own generic ordering, read from kvm_init(). */
  profile: Profile;
  /** The plugins as the tree has them (facts from the C; declarations only compared). */
  plugins: Plugin[];
  /** How much of the tree was read (deterministic, unlike a time). */
  stats: { filesRead: number; functionsParsed: number };
}

/** A module init of a reported arch, as the tree builds it: loadable at run time, or built in. */
export interface KernelModule {
  arch: string;
  init: string;
  file: string;
  kconfig?: { symbol: string; loadable: boolean; text: string; location: Location };
}
