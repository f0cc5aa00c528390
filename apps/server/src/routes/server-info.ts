import type { RouteModule } from '../context.js';
import { SYNC_FEATURES_SERVED } from '../sync-limits.js';

/**
 * `GET /server/info` (public), with production's placeholder settings. The stock profile sends no
 * `sync_api` object, so clients take the stock paths; enhanced lists its features and limits.
 */
export const serverInfoRoutes: RouteModule = (api, { serverUuid, profile, syncLimits }) => {
  const syncApi = profile === 'enhanced' ? { sync_api: { version: 1, features: [...SYNC_FEATURES_SERVED], limits: { ...syncLimits } } } : {};
  api.get('/server/info', async () => ({
    data: {
      globus_endpoint_id: null,
      institution: 'Unknown',
      version: 'Not Set',
      last_updated_at: 'Not Set',
      first_deployed_at: 'Not Set',
      contact: 'materials-commons-help@umich.edu',
      description: 'Materials Commons server',
      name: 'Materials Commons',
      uuid: serverUuid,
      ...syncApi,
    },
  }));
};
