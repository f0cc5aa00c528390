import { isUnder } from './paths';
import type { RemoteProject, StateStore } from './ports';
import { type RemoteRename, applyRemoteChanges } from './apply-changes';
import type { Problem, ProjectPath, RemoteEntry } from './types';

/** Store key of the remote change-feed cursor. */
export const CHANGES_CURSOR = 'remote-changes';

export interface RemoteState {
  /** Current remote entries under the requested prefixes. */
  entries: RemoteEntry[];
  /** Renames the feed reported since the last run (empty after a full listing). */
  renames: RemoteRename[];
  /** How the state was learned: the feed since the stored cursor, a full listing, or the stock listing of the prefixes. */
  source: 'changes' | 'tree' | 'listing';
}

/**
 * The remote tree at the cheapest price the server allows (design.md, data flow step 3): with a
 * change feed, the cached tree plus the changes since the stored cursor (one request when nothing
 * changed), or a full snapshot when there is no cursor or it expired; without one, a listing of
 * the requested prefixes. The cache and cursor are updated in the store.
 */
export async function loadRemoteState(
  remote: RemoteProject,
  store: StateStore,
  prefixes: readonly ProjectPath[],
  opts: { signal?: AbortSignal; onProblem?: (problem: Problem) => void } = {},
): Promise<RemoteState> {
  const under = (entries: Iterable<RemoteEntry>) => [...entries].filter((e) => prefixes.some((p) => isUnder(e.path, p)));
  const cursor = store.getCursor(CHANGES_CURSOR);
  if (cursor !== null) {
    const feed = await remote.changesSince(cursor, opts);
    if (feed && !feed.expired) {
      const tree = store.loadRemote();
      const applied = applyRemoteChanges(tree, feed.changes);
      if (applied.removed.length) store.deleteRemote(applied.removed);
      if (applied.upserted.length) store.saveRemote(applied.upserted);
      store.setCursor(CHANGES_CURSOR, feed.cursor);
      return { entries: under(tree.values()), renames: applied.renames, source: 'changes' };
    }
    store.deleteCursor(CHANGES_CURSOR);
  }
  const caps = await remote.capabilities();
  const whole = caps.features.has('changes');
  const snapshot = await remote.snapshot(whole ? [''] : prefixes, opts);
  store.replaceRemote(snapshot.entries, whole ? [''] : prefixes);
  if (snapshot.cursor !== null) store.setCursor(CHANGES_CURSOR, snapshot.cursor);
  return { entries: whole ? under(snapshot.entries) : snapshot.entries, renames: [], source: whole ? 'tree' : 'listing' };
}
