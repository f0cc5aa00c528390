import type { Capabilities } from '@mcsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { capabilitiesFromJson, capabilitiesToJson, hasFeature, limitOf } from './capabilities';
import { EnhancedRemoteProject } from './enhanced-remote';
import { HttpClient } from './http-client';
import { createRemoteProject, openRemoteProject } from './remote-project';
import { StockRemoteProject } from './stock-remote';

const enhanced: Capabilities = {
  profile: 'enhanced',
  features: new Set(['tree', 'changes', 'bulk-upload']),
  limits: { bulk_upload_max_files: 500, bulk_upload_max_bytes: 0 },
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('capabilities', () => {
  it('round-trips through JSON, features as a sorted array', () => {
    const json = capabilitiesToJson(enhanced);
    expect(json).toEqual({ profile: 'enhanced', features: ['bulk-upload', 'changes', 'tree'], limits: { bulk_upload_max_files: 500, bulk_upload_max_bytes: 0 } });
    const back = capabilitiesFromJson(JSON.parse(JSON.stringify(json)));
    expect(back?.features).toBeInstanceOf(Set);
    expect(back).toEqual(enhanced);
  });

  it('reads anything else as null, so the caller asks the server again', () => {
    for (const bad of [null, 'enhanced', {}, { profile: 'fast', features: [], limits: {} }, { profile: 'enhanced', features: 'tree', limits: {} }, { profile: 'enhanced', features: [1], limits: {} }, { profile: 'enhanced', features: [], limits: { a: 'x' } }, { profile: 'stock', features: ['tree'], limits: {} }]) {
      expect(capabilitiesFromJson(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('lists a feature only on enhanced, and ignores limits that are not positive whole numbers', () => {
    expect(hasFeature(enhanced, 'tree')).toBe(true);
    expect(hasFeature(enhanced, 'by-checksum')).toBe(false);
    expect(hasFeature({ profile: 'stock', features: new Set(['tree']), limits: {} }, 'tree')).toBe(false);
    expect(limitOf(enhanced, 'bulk_upload_max_files')).toBe(500);
    expect(limitOf(enhanced, 'bulk_upload_max_bytes')).toBeUndefined();
    expect(limitOf(enhanced, 'tus_max_chunk_bytes')).toBeUndefined();
  });
});

describe('choosing the strategy', () => {
  it('is enhanced exactly when the capabilities say so', () => {
    const client = new HttpClient({ baseUrl: 'http://127.0.0.1:9/api' });
    cleanup.push(() => client.close());
    expect(createRemoteProject({ client, projectId: 1, capabilities: enhanced })).toBeInstanceOf(EnhancedRemoteProject);
    expect(createRemoteProject({ client, projectId: 1, capabilities: { profile: 'stock', features: new Set(), limits: {} } })).toBeInstanceOf(StockRemoteProject);
    expect(createRemoteProject({ client, projectId: 1 })).toBeInstanceOf(StockRemoteProject);
  });

  it('openRemoteProject asks /server/info, unless capabilities are given', async () => {
    const stub = await startStub((_req, res) =>
      sendJson(res, 200, { data: { name: 'mc', sync_api: { version: 1, features: ['tree'], limits: { bulk_upload_max_files: 9 } } } }),
    );
    const client = new HttpClient({ baseUrl: stub.baseUrl });
    cleanup.push(() => stub.close(), () => client.close());

    const asked = await openRemoteProject({ client, projectId: 3 });
    expect(asked).toBeInstanceOf(EnhancedRemoteProject);
    expect(await asked.capabilities()).toEqual({ profile: 'enhanced', features: new Set(['tree']), limits: { bulk_upload_max_files: 9 } });
    expect(stub.requests.map((r) => r.url)).toEqual(['/api/server/info']);

    const cached = await openRemoteProject({ client, projectId: 3, capabilities: capabilitiesFromJson(capabilitiesToJson(enhanced))! });
    expect(cached).toBeInstanceOf(EnhancedRemoteProject);
    expect(stub.requests).toHaveLength(1);
  });
});
