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
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column;
}

/** Code-unit order, what every list kvm-rules prints is sorted in: unlike localeCompare(), the same under any locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
