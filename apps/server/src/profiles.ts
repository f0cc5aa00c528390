/**
 * Server profiles. `stock` reproduces production (mc-api.md) with its quirks but without its security
 * gaps; `enhanced` (sync-api.md, the default) adds the sync extensions on top of the same routes.
 */
export const PROFILES = ['stock', 'enhanced'] as const;
export type Profile = (typeof PROFILES)[number];

export const DEFAULT_PROFILE: Profile = 'enhanced';

export function isProfile(name: string): name is Profile {
  return (PROFILES as readonly string[]).includes(name);
}
