// semver's function modules, not its index: the index loads all of semver (ranges too), a
// tenth of a model-only check's start-up.
import coerce from 'semver/functions/coerce.js';
import compare from 'semver/functions/compare.js';
import type { SemVer } from 'semver';

/** "6.12" → 6.12.0, so that kernel versions compare as versions ("6.12" > "6.9"), not as text. */
function asSemver(version: string): SemVer {
  const parsed = coerce(version);
  if (!parsed) throw new Error(`not a kernel version: "${version}"`);
  return parsed;
}

export function compareKernelVersions(a: string, b: string): number {
  return compare(asSemver(a), asSemver(b));
}

/** The newest of `versions` not newer than `kernel`, or the oldest when all are newer. */
export function closestKernelVersion(versions: string[], kernel: string): string {
  const sorted = [...versions].sort(compareKernelVersions);
  const fitting = sorted.filter((v) => compareKernelVersions(v, kernel) <= 0);
  return fitting.at(-1) ?? sorted[0]!;
}

/** "6.12.57" → "6.12": profiles and plugins speak of major.minor. */
export function majorMinor(version: string): string {
  const parsed = asSemver(version);
  return `${parsed.major}.${parsed.minor}`;
}
