import type { Capabilities } from '@mcsync/core';
import { getCached, readMcsyncSettings, setCached, updateMcsyncSettings } from '@mcsync/store';
import { type HttpClient, detectCapabilities } from '@mcsync/transport';

/**
 * What a server offers changes rarely: it is asked once (`GET /server/info`) and remembered for a
 * few minutes in ~/.materialscommons/mcsync.json, so a run with nothing to do costs one request
 * on a server with a change feed.
 */
const TTL_MS = 5 * 60_000;

interface Stored {
  profile: Capabilities['profile'];
  features: string[];
  limits: Record<string, number>;
}

export async function serverCapabilities(client: HttpClient, url: string, home: string | undefined): Promise<Capabilities> {
  const key = `capabilities ${url}`;
  const cached = getCached(readMcsyncSettings({ home }), key) as Stored | undefined;
  if (cached && (cached.profile === 'stock' || cached.profile === 'enhanced') && Array.isArray(cached.features)) {
    return { profile: cached.profile, features: new Set(cached.features), limits: cached.limits ?? {} };
  }
  const caps = await detectCapabilities(client);
  const stored: Stored = { profile: caps.profile, features: [...caps.features], limits: { ...caps.limits } };
  try {
    updateMcsyncSettings((s) => setCached(s, key, stored, TTL_MS), { home });
  } catch {
    // a read-only home only costs the next run one more request
  }
  return caps;
}
