/** A place in a file: a plugin manifest, a profile, a rule file, or (with --kernel) kernel source. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

export function formatLocation(location: Location): string {
  return `${location.file}:${location.line}:${location.column}`;
}

export function compareLocations(a: Location | undefined, b: Location | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}
