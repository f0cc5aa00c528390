import { ChangesResponseSchema, TreeCursorSchema, TreeEntrySchema, type Change, type TreeEntry } from '@mcsync/protocol';
import type { Harness } from './harness.js';

/** `GET /projects/{p}/tree` parsed line by line against the protocol schemas. */
export async function readTree(h: Harness, projectId: number, prefix?: string): Promise<{ entries: TreeEntry[]; cursor: string }> {
  const query = prefix === undefined ? '' : `?prefix=${encodeURIComponent(prefix)}`;
  const reply = await h.call('GET', `/projects/${projectId}/tree${query}`);
  if (reply.status !== 200) throw new Error(`tree: ${reply.status} ${reply.text}`);
  const lines = reply.text.split('\n');
  if (lines.pop() !== '') throw new Error('tree: the last line is not terminated');
  const cursor = TreeCursorSchema.parse(JSON.parse(lines.pop()!)).cursor;
  return { entries: lines.map((line) => TreeEntrySchema.strict().parse(JSON.parse(line))), cursor };
}

/** Every change after `cursor`, following `more`. */
export async function readChanges(h: Harness, projectId: number, cursor: string, limit?: number): Promise<{ changes: Change[]; cursor: string }> {
  const changes: Change[] = [];
  for (;;) {
    const reply = await h.call('GET', `/projects/${projectId}/changes?cursor=${cursor}${limit ? `&limit=${limit}` : ''}`);
    if (reply.status !== 200) throw new Error(`changes: ${reply.status} ${reply.text}`);
    const page = ChangesResponseSchema.parse(reply.json);
    changes.push(...page.data);
    cursor = page.cursor;
    if (!page.more) return { changes, cursor };
  }
}

/** What a client keeps of the tree: path → (kind, id, size, checksum). */
export type TreeMap = Map<string, { kind: string; id: number; size: number; checksum: string | null }>;

export function treeMap(entries: readonly TreeEntry[]): TreeMap {
  return new Map(entries.map((e) => [e.path, { kind: e.kind, id: e.id, size: e.size, checksum: e.checksum ?? null }]));
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** Applies a feed as sync-api.md says a client does: a directory's move or delete carries its subtree. */
export function applyChanges(tree: TreeMap, changes: readonly Change[]): TreeMap {
  for (const change of changes) {
    const subtree = (path: string) => (change.kind === 'directory' ? [...tree.keys()].filter((p) => under(p, path)) : tree.has(path) ? [path] : []);
    if (change.op === 'create' || change.op === 'version') {
      tree.set(change.path, { kind: change.kind, id: change.id, size: change.size ?? 0, checksum: change.checksum ?? null });
    } else if (change.op === 'delete') {
      for (const path of subtree(change.path)) tree.delete(path);
    } else {
      const moved = subtree(change.old_path!).map((path) => [path, tree.get(path)!] as const);
      for (const [path] of moved) tree.delete(path);
      for (const [path, entry] of moved) tree.set(change.path + path.slice(change.old_path!.length), entry);
    }
  }
  return tree;
}

/** A tree map with the fields both a listing and a replayed feed know (directory ids, file ids, sizes and checksums). */
export function comparable(tree: TreeMap): Record<string, string> {
  return Object.fromEntries(
    [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, e]) => [path, `${e.kind} ${e.id} ${e.kind === 'file' ? `${e.size} ${e.checksum}` : ''}`.trim()]),
  );
}
