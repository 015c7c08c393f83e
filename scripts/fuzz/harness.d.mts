// The types of scripts/fuzz/harness.mjs, for the CLI's test suite.

export type Campaign = 'c-mutations' | 'declarative' | 'faults';

export declare const root: string;
export declare const CAMPAIGNS: readonly Campaign[];

/** One run of the CLI as a child process. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  hang: boolean;
}

/** `stdout`: 'pipe' (read, the default), 'dev-full' (every write fails) or 'gone' (a pipe closed before the CLI writes). */
export declare function runCli(args: readonly string[], options: { cwd: string; timeout: number; stdout?: 'pipe' | 'dev-full' | 'gone' }): Promise<CliRun>;

/** One campaign's tally. */
export interface FuzzRow {
  campaign: string;
  runs: number;
  exit0: number;
  exit1: number;
  exit2: number;
  internal: number;
  hangs: number;
  silent: number;
  other: number;
  maxMs: number;
  wall: number;
}

/** A case that broke the CLI's contract, with the command that reproduces it. */
export interface FuzzBreak {
  campaign: Campaign;
  id: string;
  kind: string;
  what: string;
  breaks: string[];
  command: string;
  output: string;
  repro: string;
}

export interface FuzzOptions {
  seed?: number;
  count?: number | Partial<Record<Campaign, number>>;
  jobs?: number;
  only?: string[];
  campaigns?: readonly Campaign[];
  log?: (line: string) => void;
}

export declare function runFuzz(options?: FuzzOptions): Promise<{ seed: number; rows: FuzzRow[]; breaks: FuzzBreak[] }>;

/** The table of runFuzz's rows, one line per campaign and a total. */
export declare function formatTable(rows: readonly FuzzRow[]): string;
