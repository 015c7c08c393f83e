/** Where in an input file something is wrong. */
export interface InputPlace {
  file: string;
  pointer?: string;
  line?: number;
  column?: number;
}

/**
 * Bad input: a file that fails its schema, a YAML syntax error, an unknown profile.
 * The CLI prints `message` as one line and exits 2; it never shows a stack trace for these.
 */
export class InputError extends Error {
  readonly place: InputPlace | undefined;

  constructor(problem: string, place?: InputPlace) {
    super(formatInputProblem(problem, place));
    this.name = 'InputError';
    this.place = place;
  }
}

/** `file:line:column: /pointer: problem`, leaving out what is not known. */
export function formatInputProblem(problem: string, place?: InputPlace): string {
  if (!place) return problem;
  let where = place.file;
  if (place.line !== undefined) where += `:${place.line}`;
  if (place.line !== undefined && place.column !== undefined) where += `:${place.column}`;
  const pointer = place.pointer !== undefined ? ` ${place.pointer || '/'}:` : '';
  return `${where}:${pointer} ${problem}`;
}
