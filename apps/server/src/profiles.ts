/**
 * Server profiles. `stock` reproduces production (mc-api.md) with its quirks but without its security
 * gaps; `enhanced` (sync-api.md) will add the sync extensions on top of the same routes.
 */
export const PROFILES = ['stock'] as const;
export type Profile = (typeof PROFILES)[number];

/** Profiles the CLI knows by name but this build cannot run yet. */
export const PLANNED_PROFILES = ['enhanced'] as const;

export function isProfile(name: string): name is Profile {
  return (PROFILES as readonly string[]).includes(name);
}
