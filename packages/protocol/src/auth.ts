import { z } from 'zod';

export const LoginRequestSchema = z.object({ email: z.string(), password: z.string() });
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/** `POST /get_apitoken` (mc-api.md §2.4). */
export const TokenSchema = z.object({
  api_token: z.string().min(1),
  email: z.string().optional(),
  id: z.number().int().optional(),
});
export type Token = z.infer<typeof TokenSchema>;

/** `GET /server/info`; `sync_api` is present only on servers with the extensions (sync-api.md). */
export const ServerInfoSchema = z.object({
  name: z.string().nullish(),
  version: z.string().nullish(),
  institution: z.string().nullish(),
  sync_api: z
    .object({
      version: z.number(),
      features: z.array(z.string()),
      limits: z.record(z.string(), z.number()).optional(),
    })
    .nullish(),
});
export type ServerInfo = z.infer<typeof ServerInfoSchema>;
