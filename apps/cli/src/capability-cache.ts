import type { Capabilities } from '@mcsync/core';
import { getCached, readMcsyncSettings, setCached, updateMcsyncSettings } from '@mcsync/store';
import { type HttpClient, capabilitiesFromJson, capabilitiesToJson, detectCapabilities } from '@mcsync/transport';

/**
 * What a server offers changes rarely: it is asked once (`GET /server/info`) and remembered for a
 * few minutes in ~/.materialscommons/mcsync.json, so a run with nothing to do costs one request
 * on a server with a change feed.
 */
const TTL_MS = 5 * 60_000;

export async function serverCapabilities(client: HttpClient, url: string, home: string | undefined): Promise<Capabilities> {
  const key = `capabilities ${url}`;
  const cached = capabilitiesFromJson(getCached(readMcsyncSettings({ home }), key));
  if (cached) return cached;
  const caps = await detectCapabilities(client);
  try {
    updateMcsyncSettings((s) => setCached(s, key, capabilitiesToJson(caps), TTL_MS), { home });
  } catch {
    // a read-only home only costs the next run one more request
  }
  return caps;
}
