import type { UserRecord } from '../db/users.js';
import { formatTimestamp } from '../timestamps.js';

/** The User of project listings (mc-api.md §2.4): only non-null keys. */
export function userJson(user: UserRecord): Record<string, unknown> {
  const json: Record<string, unknown> = { id: user.id, uuid: user.uuid, name: user.name, email: user.email };
  if (user.description !== null) json.description = user.description;
  if (user.affiliation !== null) json.affiliation = user.affiliation;
  json.created_at = formatTimestamp(user.created_at);
  json.updated_at = formatTimestamp(user.updated_at);
  if (user.slug !== null) json.slug = user.slug;
  return json;
}

/**
 * The `owner` production embeds in rows: the whole user record minus password hash and remember
 * token, so it carries the owner's api_token (Q9). Reproduced on purpose: clients must learn to drop it.
 */
export function ownerJson(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    uuid: user.uuid,
    name: user.name,
    email: user.email,
    email_verified_at: null,
    description: user.description,
    affiliation: user.affiliation,
    globus_user: null,
    api_token: user.api_token,
    slug: user.slug,
    created_at: formatTimestamp(user.created_at),
    updated_at: formatTimestamp(user.updated_at),
  };
}
