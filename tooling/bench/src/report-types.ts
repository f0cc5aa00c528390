/** One timed run of one contender. */
export interface Sample {
  seconds: number;
  peakRssMiB: number | null;
  /** HTTP requests of the run (the server's count, or the client's where the server keeps none). */
  requests: number | null;
  /** Bytes that crossed the network for the run's payload (request bodies up, file bytes down). */
  bytesSent: number | null;
  /** Scenario-specific numbers (e.g. where a killed upload stopped). */
  extra?: Record<string, number>;
}

export type Role = 'mc' | 'baseline' | 'rival' | 'floor';

export interface RowResult {
  name: string;
  role: Role;
  samples: Sample[];
  /** Files the row's data holds, for per-file figures (scenario 7). */
  files?: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  data: string;
  /** Rows every other row is compared with, run by run. */
  baselines: string[];
  rows: RowResult[];
  notes: string[];
  /** Target checks, as lines of text, computed from the rows. */
  targets: string[];
}

export interface BenchReport {
  date: string;
  command: string;
  size: 'smoke' | 'full';
  net: 'loopback' | 'wan';
  runs: number;
  machine: string;
  scenarios: ScenarioResult[];
}
