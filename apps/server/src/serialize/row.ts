import { isDirectory, type RowRecord } from '../db/rows.js';
import { formatNullableTimestamp, formatTimestamp } from '../timestamps.js';

export type RowJson = Record<string, unknown>;

/**
 * A row with production's ~37 keys (mc-api.md §2.1). Keys this server has no feature behind carry the
 * values production typically shows for HTTP uploads; one object literal keeps serialization cheap.
 */
export function rowJson(row: RowRecord): RowJson {
  const directory = isDirectory(row);
  return {
    id: row.id,
    uuid: row.uuid,
    name: row.name,
    path: row.path,
    description: row.description,
    summary: null,
    url: null,
    mime_type: row.mime_type,
    media_type_description: row.media_type_description,
    size: row.size,
    checksum: row.checksum,
    disk: row.disk,
    current: row.current === 1,
    is_shortcut: false,
    owner_id: row.owner_id,
    project_id: row.project_id,
    directory_id: row.directory_id,
    dataset_id: null,
    uses_uuid: row.uses_uuid,
    uses_id: row.uses_id,
    replicated_at: null,
    unique_proj_dir: directory && row.deleted_at === null ? row.project_id : null,
    upload_source: row.upload_source,
    file_missing_at: null,
    file_missing_determined_by: null,
    health: directory ? null : 'healthy',
    last_health_check_at: null,
    health_fixed_at: null,
    health_fixed_by: null,
    thumbnail_created_at: null,
    thumbnail_status: null,
    conversion_created_at: null,
    conversion_status: null,
    selected: null,
    created_at: formatTimestamp(row.created_at),
    updated_at: formatTimestamp(row.updated_at),
    deleted_at: formatNullableTimestamp(row.deleted_at),
  };
}

/** The five counts production adds on single-file endpoints; only previous versions exist here. */
export function withCounts(json: RowJson, previousVersions: number): RowJson {
  json.entity_states_count = 0;
  json.activities_count = 0;
  json.entities_count = 0;
  json.experiments_count = 0;
  json.previous_versions_count = previousVersions;
  return json;
}

// The attributes production's freshly created directory model holds (it sets only these).
const CREATED_DIRECTORY_KEYS = [
  'id', 'uuid', 'name', 'path', 'description', 'mime_type', 'media_type_description', 'current',
  'owner_id', 'project_id', 'directory_id', 'created_at', 'updated_at',
] as const;

/**
 * A directory as `POST /directories` answers 201: production serializes the model it just created,
 * so `size`, `checksum`, `deleted_at` and most other keys are absent.
 */
export function createdDirectoryJson(row: RowRecord): RowJson {
  const full = rowJson(row);
  return Object.fromEntries(CREATED_DIRECTORY_KEYS.map((key) => [key, full[key]]));
}
