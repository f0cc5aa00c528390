import type { McErrorCode } from '@mcsync/core';

/** cli-contract.md: 0 done, 1 some items failed, 2 usage/config/auth (nothing done), 3 conflicts, 130 interrupted. */
export const EXIT = { OK: 0, PARTIAL: 1, USAGE: 2, CONFLICTS: 3, INTERRUPTED: 130 } as const;

/**
 * The exit code for an error that stopped a whole command. Such an error comes before any
 * transfer (per-item failures are reported, not thrown), so nothing was done: 2, whether the
 * cause is a flag, the configuration, the token, or a server that cannot be reached. Only a bug
 * in mc itself (INTERNAL) gets 1, since its effects are unknown.
 */
export function exitCodeFor(code: McErrorCode): number {
  switch (code) {
    case 'ABORTED':
      return EXIT.INTERRUPTED;
    case 'CONFLICT':
      return EXIT.CONFLICTS;
    case 'INTERNAL':
      return EXIT.PARTIAL;
    default:
      return EXIT.USAGE;
  }
}
