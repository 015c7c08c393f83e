// The file schemas as standalone JSON Schema files for editors (schemas/<name>.schema.json,
// written at build time by scripts/export-schemas.mjs; docs/editor-schemas.md).

/** The draft the schemas are written in: ajv's default, draft-07. */
export const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** The exported file's name for an export of schemas/index.ts: `ruleFileSchema` -> `rule-file`; undefined for one that is not a schema. */
export function schemaFileName(exportName: string): string | undefined {
  const match = /^([a-z][A-Za-z0-9]*)Schema$/.exec(exportName);
  return match ? match[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : undefined;
}

/**
 * The schema as a file an editor can load on its own: `$schema` first, then `title` and
 * `description`, then the rest in the schema's own order. The `$id` (a `urn:kvm-rules:…`
 * that names the schema to ajv) is left out, so the file is identified by where it is.
 */
export function toSchemaFile(schema: object, name: string): Record<string, unknown> {
  const { $schema = SCHEMA_DRAFT, title = `kvm-rules ${name}`, description, ...rest } = schema as Record<string, unknown>;
  delete rest.$id;
  return { $schema, title, ...(description === undefined ? {} : { description }), ...rest };
}
