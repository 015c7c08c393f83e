import { fileURLToPath } from 'node:url';

/** The profiles that ship with kvm-rules. */
export const builtinProfilesDir = fileURLToPath(new URL('../profiles', import.meta.url));
