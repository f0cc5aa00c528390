import { z } from 'zod';
import { McRowSchema } from './rows';

/** mc-api.md §2.4: every field only when non-null. */
export const UserSchema = z.object({
  id: z.number().int(),
  uuid: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

/** mc-api.md §2.3: scalar keys are omitted when null. */
export const ProjectSchema = z.object({
  id: z.number().int(),
  uuid: z.string(),
  name: z.string(),
  owner_id: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  is_active: z.union([z.boolean(), z.literal(0), z.literal(1)]).optional(),
  description: z.string().nullish(),
  slug: z.string().nullish(),
  owner: UserSchema.nullish(),
  rootDir: McRowSchema.nullish(),
});
export type Project = z.infer<typeof ProjectSchema>;

export const CreateProjectRequestSchema = z.object({
  name: z.string().min(1).max(80),
  description: z.string().max(8192).optional(),
  summary: z.string().max(100).optional(),
  is_active: z.boolean().optional(),
});
export type CreateProjectRequest = z.infer<typeof CreateProjectRequestSchema>;
