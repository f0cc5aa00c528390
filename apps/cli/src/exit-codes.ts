import type { McErrorCode } from '@mcsync/core';

/** cli-contract.md: 0 done, 1 some items failed, 2 usage/config/auth (nothing done), 3 conflicts, 130 interrupted. */
export const EXIT = { OK: 0, PARTIAL: 1, USAGE: 2, CONFLICTS: 3, INTERRUPTED: 130 } as const;

/** The exit code for an error that stopped a whole command. */
export function exitCodeFor(code: McErrorCode): number {
  switch (code) {
    case 'ABORTED':
      return EXIT.INTERRUPTED;
    case 'CONFLICT':
      return EXIT.CONFLICTS;
    case 'USAGE':
    case 'CONFIG':
    case 'AUTH':
    case 'LOCKED':
    case 'NOT_FOUND':
      return EXIT.USAGE;
    default:
      return EXIT.PARTIAL;
  }
}
