import type { RouteModule } from '../context.js';

/**
 * `GET /server/info` (public). The stock profile answers with production's placeholder settings and
 * no `sync_api` object, so clients take the stock paths.
 */
export const serverInfoRoutes: RouteModule = (api, { serverUuid }) => {
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
    },
  }));
};
