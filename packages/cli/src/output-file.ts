// The files a run writes (the report of -o, the baseline of --write-baseline): written whole or
// not at all. A run interrupted halfway, or one that fails, never leaves an earlier run's report
// behind as if it were its own; a path that cannot be written is one line, not a stack trace.
import { lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '@kvm-rules/core';

/**
 * Removes the report an earlier run left at `file`, before this run makes its own. Only a
 * regular file is ever removed or replaced: -o /dev/full or a FIFO is not a report.
 */
export function removeStaleReport(file: string, option: string): void {
  if (!isRegularOrAbsent(file, option)) throw new InputError(`${option}: ${file} is not a regular file; give a file to write the report to`);
  try {
    rmSync(file, { force: true });
  } catch (error) {
    throw new InputError(`${option}: cannot replace ${file} (${codeOf(error)})`);
  }
}

function isRegularOrAbsent(file: string, option: string): boolean {
  try {
    return lstatSync(file).isFile();
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ENOENT') return true;
    throw new InputError(`${option}: cannot write ${file} (${code})`);
  }
}

/** Writes `text` to a temporary file beside `file`, then renames it into place. */
export function writeWhole(file: string, text: string, option: string): void {
  if (!isRegularOrAbsent(file, option)) throw new InputError(`${option}: ${file} is not a regular file; give a file to write to`);
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (error) {
    removeQuietly(temporary);
    throw new InputError(`${option}: cannot write ${file} (${codeOf(error)})`);
  }
}

/** A temporary file that may not even have been made (its folder is a file). */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // Nothing was written there.
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
