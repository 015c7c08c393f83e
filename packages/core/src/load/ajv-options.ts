import { createHash } from 'node:crypto';

/** One set of ajv options for the build-time validators and for schemas compiled at run time. */
export const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;

/** Identifies a schema across the build and the run: a hash of its JSON text. */
export function schemaKey(schema: object): string {
  return createHash('sha1').update(JSON.stringify(schema)).digest('hex');
}
