import { ManifestEntrySchema, type ManifestEntry } from '@mcsync/protocol';
import { ValidationFailed } from './errors.js';
import { unsafePathReason } from './safe-names.js';

/**
 * The file list of a bulk upload (`manifest` part) or a by-checksum request (`files`): an array of
 * `{path, size, md5, if_current_id?}`. `path` must be absolute, normalized (`/a/b.txt`: no empty,
 * `.` or `..` segment, no trailing `/`) and safe (safe-names.ts), since it is where the file goes.
 * Anything else is a 422 that names each bad entry, and nothing is stored.
 */
export function parseManifest(value: unknown, field: string): ManifestEntry[] {
  if (!Array.isArray(value)) {
    throw new ValidationFailed({ [field]: [`The ${field} field must be a JSON array of {path, size, md5, if_current_id?}.`] });
  }
  const errors: Record<string, string[]> = {};
  const entries: ManifestEntry[] = [];
  value.forEach((item, index) => {
    const parsed = ManifestEntrySchema.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        (errors[[field, index, ...issue.path].join('.')] ??= []).push(issue.message);
      }
      return;
    }
    const problem = pathProblem(parsed.data.path);
    if (problem) (errors[`${field}.${index}.path`] ??= []).push(problem);
    entries.push(parsed.data);
  });
  if (Object.keys(errors).length > 0) throw new ValidationFailed(errors);
  return entries;
}

function pathProblem(path: string): string | null {
  if (!path.startsWith('/')) return `The path ${JSON.stringify(path)} must start with /.`;
  const segments = path.slice(1).split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return `The path ${JSON.stringify(path)} must name a file by a normalized path (no empty, . or .. segment).`;
  }
  const unsafe = unsafePathReason(path, 'file');
  return unsafe && `The path ${JSON.stringify(path)} ${unsafe}.`;
}

/** The directory and the name of a manifest path. */
export function splitPath(path: string): { directory: string; name: string } {
  const slash = path.lastIndexOf('/');
  return { directory: path.slice(0, slash) || '/', name: path.slice(slash + 1) };
}
