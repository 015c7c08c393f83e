import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type * as AjvModule from 'ajv';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { closest, distance } from 'fastest-levenshtein';
import { AJV_OPTIONS, schemaKey } from './ajv-options.js';
import { InputError } from './input-error.js';
import { placeOf, type SourceFile } from './yaml-source.js';

const require = createRequire(import.meta.url);
const compiled = new WeakMap<object, ValidateFunction>();
const keys = new WeakMap<object, string>();
const precompiled = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;

/** Files of precompiled validators not loaded yet, in the order they were named. */
const unloaded: URL[] = [];

/**
 * Adds the validators a build compiled ahead of time (scripts/build-validators.mjs writes them):
 * core's own for its file schemas, and a rule kinds package's for its options schemas. A file
 * that is not there (running from source, in the unit tests) leaves them to be compiled at run time.
 * The file is loaded when a schema is first checked, not now: a run whose plugin and profile
 * texts passed before (the parse cache keeps that) checks none of core's schemas, and core's
 * file is most of what a start would compile.
 */
export function usePrecompiledValidators(file: URL): void {
  unloaded.push(file);
}

/** The precompiled validator for a schema key, loading files the last named first (a rule kinds package's small one before core's). */
function precompiledFor(key: string): ValidateFunction | undefined {
  while (!precompiled.has(key)) {
    const file = unloaded.pop();
    if (!file) return undefined;
    load(file);
  }
  return precompiled.get(key);
}

function load(file: URL): void {
  try {
    for (const [key, validate] of (require(fileURLToPath(file)) as { byKey: Map<string, ValidateFunction> }).byKey) precompiled.set(key, validate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
}

usePrecompiledValidators(new URL('../validators.cjs', import.meta.url));

/** schemaKey(), once per schema object. */
function keyOf(schema: object): string {
  let key = keys.get(schema);
  if (key === undefined) keys.set(schema, (key = schemaKey(schema)));
  return key;
}

/** Schemas the build did not see (a plugin's own rule kinds) are compiled here, loading ajv only then. */
function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = precompiledFor(keyOf(schema));
    if (!validate) {
      const { Ajv: AjvClass } = require('ajv') as typeof AjvModule;
      ajv ??= new AjvClass(AJV_OPTIONS);
      validate = ajv.compile(schema);
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * What data valid against `Schema` (a schema written `as const`) is: the type json-schema-to-ts
 * derives from it. Conditional, so that a call made where a type is expected does not make the
 * compiler derive a type from every schema there is.
 */
export type Validated<Schema> = Schema extends JSONSchema ? FromSchema<Schema> : never;

/**
 * Checks `source.data` against `schema`; on failure throws one InputError for the most useful
 * problem. What it returns has the type the schema gives (FromSchema), never one a caller names.
 * A text that passed this schema at this place before (the parse cache keeps that) is not checked again.
 */
export function validateSource<Schema extends object>(source: SourceFile, schema: Schema): Validated<Schema> {
  const pass = `${keyOf(schema)}${source.pointerPrefix ?? ''}`;
  if (source.passes?.has(pass)) return source.data as Validated<Schema>;
  const validate = validatorFor(schema);
  if (validate(source.data)) {
    source.passes?.add(pass);
    return source.data as Validated<Schema>;
  }
  const problems = describeErrors(validate.errors ?? [], schema);
  const [first] = problems;
  if (!first) throw new InputError('does not match its schema', { file: source.path });
  throw new InputError(first.message + moreProblems(problems.length), placeOf(source, first.pointer, first.key));
}

function moreProblems(count: number): string {
  return count > 1 ? ` (and ${count - 1} more problem${count > 2 ? 's' : ''} in this file)` : '';
}

/** Checks a plain value (rule options) against a schema; returns the problems, or [] when valid. */
export function schemaProblems(value: unknown, schema: object): Problem[] {
  const validate = validatorFor(schema);
  return validate(value) ? [] : describeErrors(validate.errors ?? [], schema);
}

export interface Problem {
  pointer: string;
  /** A key to point at inside the value at `pointer` (an unknown key). */
  key?: string;
  message: string;
}

/**
 * Turns ajv's error list into problems a person can act on, the most specific first.
 * An unknown key next to a missing required key is almost always a misspelling, so the two
 * become one problem with a suggestion.
 */
export function describeErrors(errors: ErrorObject[], schema: object): Problem[] {
  const problems: Problem[] = [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  for (const [pointer, list] of byPath) {
    for (const error of list) {
      const problem = describeError(error, pointer, list, schema);
      if (problem && !problems.some((p) => p.pointer === problem.pointer && p.message === problem.message)) {
        problems.push(problem);
      }
    }
  }
  return problems.sort((a, b) => rank(a) - rank(b));
}

function rank(problem: Problem): number {
  // Unknown keys are the clearest thing to fix; anyOf noise the least clear.
  if (problem.message.startsWith('unknown key')) return 0;
  if (problem.message.startsWith('does not match any')) return 2;
  return 1;
}

function describeError(error: ErrorObject, pointer: string, siblings: ErrorObject[], schema: object): Problem | undefined {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = knownKeys(error, schema);
      const missing = siblings.filter((e) => e.keyword === 'required').map((e) => String((e.params as Record<string, unknown>).missingProperty));
      const suggestion = closestName(key, missing.length > 0 ? missing : known);
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : '';
      return { pointer, key, message: `unknown key "${key}"${hint}` };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      // Reported with the unknown key it was probably misspelled as.
      const misspelled = siblings.some(
        (e) => e.keyword === 'additionalProperties' && closestName(String((e.params as Record<string, unknown>).additionalProperty), [missing]),
      );
      return misspelled ? undefined : { pointer, message: `missing required key "${missing}"` };
    }
    case 'enum':
      return { pointer, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { pointer, message: `must be ${String(params.type).split(',').map(article).join(' or ')}` };
    case 'pattern':
      // Under propertyNames, the key itself is what fails: point at it.
      if (error.propertyName !== undefined) {
        return { pointer, key: error.propertyName, message: `key "${error.propertyName}" is not valid here (must match ${String(params.pattern)})` };
      }
      return { pointer, message: `"${String(valueHint(error))}" is not valid here (must match ${String(params.pattern)})` };
    case 'propertyNames':
      return undefined; // ajv also reports the offending name under its own path
    case 'if':
      return undefined; // the failing then/else branch reports the problem itself
    case 'anyOf':
      return { pointer, message: 'does not match any allowed form' };
    default:
      return { pointer, message: error.message ?? `fails ${error.keyword}` };
  }
}

function valueHint(error: ErrorObject): unknown {
  return error.data ?? error.instancePath.split('/').pop();
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The candidate that `name` is probably a misspelling of, if any: for "did you mean" hints. */
export function closestName(name: string, candidates: string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(name, candidates);
  // Only suggest names that are plausibly the same word.
  return distance(name, best) <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

/** The property names the schema allows where the error happened. */
function knownKeys(error: ErrorObject, schema: object): string[] {
  const at = schemaAt(schema, error.schemaPath);
  const properties = (at as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties).filter((k) => k !== '$schema') : [];
}

function schemaAt(schema: object, schemaPath: string): unknown {
  // schemaPath is "#/a/b/additionalProperties"; the object owning the keyword is one up.
  const parts = schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).slice(0, -1);
  let node: unknown = schema;
  for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[decodeURIComponent(part)];
  return node;
}
