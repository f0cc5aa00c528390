import type { Conflict, Failure, Plan, Skip } from './plan';

export interface Transferred {
  path: string;
  bytes: number;
  /** How the bytes were checked end to end. */
  verified: 'md5' | 'size';
}

export type RunCommand = 'up' | 'down' | 'sync';

/** What a run did; the CLI adds seconds and request counts. */
export interface RunReport {
  command: RunCommand;
  plan: Plan;
  transferred: Transferred[];
  /** Folders created (remote for up, local for down, both for sync). */
  createdFolders: string[];
  deleted: Array<{ path: string; side: 'local' | 'remote' }>;
  renamed: Array<{ from: string; to: string }>;
  /** Changed on both sides and left for the user (mc sync; exit 3). */
  conflicts: Conflict[];
  skipped: Skip[];
  failed: Failure[];
  notes: Skip[];
  bytes: number;
  dryRun: boolean;
  /** Stopped early by the abort signal. */
  interrupted: boolean;
}

/** Skip reason of items a Ctrl-C stopped before they were transferred. */
export const INTERRUPTED = 'interrupted before it was transferred';

export function newReport(command: RunCommand, plan: Plan, dryRun: boolean): RunReport {
  return {
    command,
    plan,
    transferred: [],
    createdFolders: [],
    deleted: [],
    renamed: [],
    conflicts: [...plan.conflicts],
    skipped: [...plan.skipped],
    failed: [...plan.failed],
    notes: [...plan.notes],
    bytes: 0,
    dryRun,
    interrupted: false,
  };
}
