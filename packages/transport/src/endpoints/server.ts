import type { Capabilities } from '@mcsync/core';
import { type ServerInfo, ServerInfoSchema, dataEnvelope } from '@mcsync/protocol';
import type { HttpClient } from '../http-client';
import { parseResponse } from '../parse-response';

const ServerInfoEnvelope = dataEnvelope(ServerInfoSchema);

/** `GET /server/info` (public). */
export async function getServerInfo(client: HttpClient, opts: { signal?: AbortSignal } = {}): Promise<ServerInfo> {
  const res = await client.json({ method: 'GET', path: '/server/info', signal: opts.signal });
  return parseResponse(ServerInfoEnvelope, res.data, 'GET /server/info').data;
}

/** What the server offers: `enhanced` exactly when it advertises `sync_api` (sync-api.md). */
export function capabilitiesFromServerInfo(info: ServerInfo): Capabilities {
  const api = info.sync_api;
  if (!api) return { profile: 'stock', features: new Set(), limits: {} };
  return { profile: 'enhanced', features: new Set(api.features), limits: { ...api.limits } };
}

/** `GET /server/info` → Capabilities. */
export async function detectCapabilities(client: HttpClient, opts: { signal?: AbortSignal } = {}): Promise<Capabilities> {
  return capabilitiesFromServerInfo(await getServerInfo(client, opts));
}
