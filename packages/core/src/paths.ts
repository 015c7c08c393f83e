import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The profiles that ship with kvm-rules. */
export const builtinProfilesDir = fileURLToPath(new URL('../profiles', import.meta.url));

/** The default rule set (the rules/ folder of the repository, published as @kvm-rules/rules). */
export const builtinRulesDir = dirname(fileURLToPath(import.meta.resolve('@kvm-rules/rules/package.json')));
