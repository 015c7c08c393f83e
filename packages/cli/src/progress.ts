// Progress on a terminal: one line on stderr, rewritten as long work goes on (reading a kernel
// tree arch by arch, reading a revision from git) and cleared at the end. In a pipe or a file
// there is none: stderr then carries only what went wrong.
export type Progress = (text: string | undefined) => void;

export function terminalProgress(write: (text: string) => void, isTerminal: boolean): Progress {
  if (!isTerminal)
    return () => {
      // In a pipe or a file: no progress.
    };
  let shown = false;
  return (text) => {
    if (text === undefined) {
      if (shown) write('\r\x1b[K');
      shown = false;
      return;
    }
    write(`\r\x1b[K${text}`);
    shown = true;
  };
}

/** Shows that a tree's generic code is being read, and returns the per-arch step for analyzeKernel's onArch. */
export function readingTree(progress: Progress, version: string): (arch: string, i: number, total: number) => void {
  progress(`kvm-rules: reading Linux ${version}: kvm_init()`);
  return (arch, i, total) => {
    progress(`kvm-rules: reading Linux ${version}: ${arch} (${i + 1}/${total})`);
  };
}
