// The names a new plugin package is made of, all derived from the one name the maintainer gives.
// Kind and rule ids are global across every loaded plugin, so the package's own carry its name.
import { InputError, pluginSchema } from '@kvm-rules/core';

export interface PluginNames {
  /** The arch id the manifest declares, as given: `loongarch-demo`. */
  id: string;
  /** The npm package: `kvm-rules-plugin-loongarch-demo`, which `--plugin loongarch-demo` finds. */
  packageName: string;
  /** The example rule kind, and the rule that configures it: `loongarch-demo-registration-undo`. */
  kind: string;
  /** The id as a C identifier, for the example function names: `loongarch_demo`. */
  c: string;
}

/** The arch id must be one the manifest schema accepts, since it becomes the plugin's id. */
export function pluginNames(name: string): PluginNames {
  if (!new RegExp(pluginSchema.properties.id.pattern).test(name)) {
    throw new InputError(
      `new-plugin: "${name}" is not a lower-case id (letters, digits, dot, dash, underscore, starting with a letter or digit; such as "loongarch")`,
    );
  }
  return {
    id: name,
    packageName: `kvm-rules-plugin-${name}`,
    kind: `${name}-registration-undo`,
    c: name.replace(/[^a-z0-9_]/g, '_'),
  };
}
