import type { Failure, Plan, Skip } from './plan';

export interface Transferred {
  path: string;
  bytes: number;
  /** How the bytes were checked end to end. */
  verified: 'md5' | 'size';
}

/** What a run did; the CLI adds seconds and request counts. */
export interface RunReport {
  command: 'up' | 'down';
  plan: Plan;
  transferred: Transferred[];
  /** Folders created (remote for up, local for down). */
  createdFolders: string[];
  skipped: Skip[];
  failed: Failure[];
  bytes: number;
  dryRun: boolean;
  /** Stopped early by the abort signal. */
  interrupted: boolean;
}

/** Skip reason of items a Ctrl-C stopped before they were transferred. */
export const INTERRUPTED = 'interrupted before it was transferred';

export function newReport(command: 'up' | 'down', plan: Plan, dryRun: boolean): RunReport {
  return {
    command,
    plan,
    transferred: [],
    createdFolders: [],
    skipped: [...plan.skipped],
    failed: [...plan.failed],
    bytes: 0,
    dryRun,
    interrupted: false,
  };
}
