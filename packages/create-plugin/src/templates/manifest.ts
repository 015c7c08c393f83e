// plugin.yaml when no kernel tree is given: a valid manifest with one module init that only
// calls kvm_init(), and comments that say what to declare around it. With a tree,
// scaffoldManifest() writes the manifest instead; both start with the same modeline.
import type { PluginNames } from '../names.js';

/** Where an editor finds the manifest schema once the package's dependencies are installed. */
export const MANIFEST_SCHEMA = './node_modules/@kvm-rules/core/schemas/plugin.schema.json';

export function manifestTemplate(names: PluginNames, kernel: string): string {
  const { id, c, kind } = names;
  return `# yaml-language-server: $schema=${MANIFEST_SCHEMA}
# The ${id} arch plugin: what the arch's KVM module init does, in order, and what its hooks
# need. Written by \`kvm-rules new-plugin\` as a frame to fill: replace the example module
# with the arch's own, or derive it from a kernel tree (every derived entry to confirm) with
#   kvm-rules new-plugin ${id} --kernel DIR --arch-dir arch/<arch>/kvm --out OTHER_DIR
id: ${id}
summary: KVM on ${id}; say which virtualization extension it needs
# The kernel version these declarations describe; older ones go under \`versions:\`.
kernel: "${kernel}"
modules:
  # One entry per module_init() of the arch's KVM module that calls kvm_init().
  - init: kvm_${c}_init
    file: arch/${id}/kvm/main.c
    phases:
      # The statements of the module init on its success path, in source order. For each:
      # the call that anchors it, the state it initializes, what it registers (callbacks,
      # notifiers, devices; name the undo, or ${kind} warns), whether it can
      # fail, and which earlier phases its failure path unwinds. For example:
      #   - id: die-notifier
      #     call: register_die_notifier
      #     registers: [kvm_${c}_die_notifier]
      #     undo: unregister_die_notifier
      #     canFail: true
      # Since Linux 6.3 kvm_init() comes last: from inside it, /dev/kvm is open to userspace.
      - id: kvm-init
        call: kvm_init
        canFail: true
        undo: kvm_exit
# The arch's implementations of the generic hooks, by role (each profile names the role's
# function for its kernel version), with the state each reads, which must be initialized
# before the hook first runs. For example:
#   hardware-enable:
#     impl: kvm_arch_enable_virtualization_cpu
#     file: arch/${id}/kvm/main.c
#     requires: [kvm_${c}_context]
hooks: {}
# The state that phases initialize or register and hooks read, by name. For example:
#   kvm_${c}_context: { summary: The per-CPU context the enable hook programs, kind: per-cpu }
state: {}
`;
}
