import type { Capabilities } from '@mcsync/core';
import type { SyncFeature, SyncLimit } from '@mcsync/protocol';

/** True when the server advertises `feature` (sync-api.md: use an extension only if it is listed). */
export function hasFeature(caps: Capabilities, feature: SyncFeature): boolean {
  return caps.profile === 'enhanced' && caps.features.has(feature);
}

/** An advertised limit, when it is a positive whole number; otherwise undefined (no limit said). */
export function limitOf(caps: Capabilities, limit: SyncLimit): number | undefined {
  const value = caps.limits[limit];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** `Capabilities` as plain JSON (features as a sorted array), for caches such as the CLI's settings file. */
export interface CapabilitiesJson {
  profile: 'stock' | 'enhanced';
  features: string[];
  limits: Record<string, number>;
}

export function capabilitiesToJson(caps: Capabilities): CapabilitiesJson {
  return { profile: caps.profile, features: [...caps.features].sort(), limits: { ...caps.limits } };
}

/**
 * Reads what `capabilitiesToJson` wrote. Returns null for anything else (an old or damaged cache),
 * so the caller asks the server again instead of trusting it.
 */
export function capabilitiesFromJson(value: unknown): Capabilities | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.profile !== 'stock' && v.profile !== 'enhanced') return null;
  if (!Array.isArray(v.features) || !v.features.every((f) => typeof f === 'string')) return null;
  if (typeof v.limits !== 'object' || v.limits === null || Array.isArray(v.limits)) return null;
  const limits: Record<string, number> = {};
  for (const [k, n] of Object.entries(v.limits)) {
    if (typeof n !== 'number' || !Number.isFinite(n)) return null;
    limits[k] = n;
  }
  if (v.profile === 'stock' && v.features.length > 0) return null;
  return { profile: v.profile, features: new Set(v.features as string[]), limits };
}
