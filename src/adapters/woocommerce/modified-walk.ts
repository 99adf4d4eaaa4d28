import type { LimitFunction } from 'p-limit';
import { sourceError } from '../../errors.js';
import { itemId, itemModified, type ModifiedPosition } from './checkpoint.js';
import { walkById } from './id-walk.js';

/**
 * Incremental walk: a keyset on `date_modified_gmt` (whole seconds), which
 * WooCommerce filters server-side (`modified_after`, exclusive, with
 * `dates_are_gmt=true`) and sorts (`orderby=modified&order=asc`).
 *
 * Why not offset paging under a fixed filter: a record modified mid-run
 * leaves its place and moves to the end, shifting everything after it, and
 * WooCommerce (MySQL) gives no order among records modified in the same
 * second, so an offset inside a tie is meaningless between requests.
 *
 * So every request starts at offset 0 after `after` (all seconds ≤ `after`
 * are done). In a full page, the seconds before the page's last second are
 * complete (the sort puts every item of a second before any later one), so
 * they are emitted, sorted by (modified, id), and `after` moves to the last
 * of them; the last second is read again by the next request. A page that
 * holds a single second (a bulk edit of ≥ a page of records) is walked on
 * its own: `modified_after = s − 1 s` and `modified_before = s + 1 s`, by id
 * (the id walk with its continuity check), then `after = s`.
 *
 * A record modified during the walk moves past `after` and is met again at
 * the end with its new date, so the run ends with its newest state (it may
 * appear twice in one run: the engine upserts by external id). A record
 * modified in the very second being tie-walked may be missed by that tie walk;
 * the next run's overlap (it starts one second before the cursor) sees it.
 */
export interface ModifiedWalkOptions {
  /** Raw items with date_modified_gmt > `after`, ascending by it, at most `limit`. */
  fetchAfter: (after: string, limit: number, signal: AbortSignal) => Promise<unknown[]>;
  /** Raw items modified in the one second `second`, ascending by id, from `offset`. */
  fetchSecond: (second: string, offset: number, limit: number, signal: AbortSignal) => Promise<unknown[]>;
  route: string;
  /** Items per page at most (a full page emits fewer: its last second is read again). */
  pageItems: number;
  /** Overlap of the id walk inside one second. */
  overlap: number;
  limit: LimitFunction;
  start: ModifiedPosition;
  signal?: AbortSignal;
}

export interface ModifiedWalkPage {
  items: unknown[];
  position: ModifiedPosition;
  done: boolean;
}

interface Keyed {
  raw: unknown;
  id: number;
  modified: string;
}

export async function* walkByModified(options: ModifiedWalkOptions): AsyncGenerator<ModifiedWalkPage> {
  const { route } = options;
  const perPage = Math.max(2, options.pageItems);
  const signal = options.signal ?? new AbortController().signal;
  let position: ModifiedPosition = { ...options.start };
  for (;;) {
    if (position.tie) {
      const { second, ...start } = position.tie;
      const after = position.after;
      for await (const page of walkById({
        fetchWindow: async (offset, limit, s) => ({
          items: await options.fetchSecond(second, offset, limit, s),
        }),
        route,
        pageItems: options.pageItems,
        overlap: options.overlap,
        prefetch: 1,
        limit: options.limit,
        start,
        signal,
      })) {
        position = page.done ? { after: second } : { after, tie: { second, ...page.position } };
        const items = page.items.filter((raw) => itemModified(raw, route) === second);
        if (items.length > 0) yield { items, position: { ...position }, done: false };
      }
      continue;
    }

    const after = position.after;
    const raw = await options.limit(() => options.fetchAfter(after, perPage, signal));
    const keyed = keyedInOrder(raw, route);
    const fresh = keyed.filter((k) => k.modified > after); // a server that treats "after" inclusively
    if (raw.length < perPage) {
      const items = sortByKey(fresh);
      position = { after: items.at(-1)?.modified ?? after };
      yield { items: items.map((k) => k.raw), position: { ...position }, done: true };
      return;
    }
    const last = keyed.at(-1)!.modified;
    if (last <= after) {
      throw sourceError({
        kind: 'incompatible',
        message: `WooCommerce ${route}: modified_after=${after} returned a full page modified at or before it`,
      });
    }
    const complete = sortByKey(fresh.filter((k) => k.modified < last));
    if (complete.length === 0) {
      position = { after, tie: { second: last, offset: 0, lastId: 0 } };
      continue;
    }
    position = { after: complete.at(-1)!.modified };
    yield { items: complete.map((k) => k.raw), position: { ...position }, done: false };
  }
}

function keyedInOrder(raw: unknown[], route: string): Keyed[] {
  const keyed = raw.map((item) => ({
    raw: item,
    id: itemId(item, route),
    modified: itemModified(item, route),
  }));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]!.modified < keyed[i - 1]!.modified) {
      throw sourceError({
        kind: 'incompatible',
        message:
          `WooCommerce ${route}: items are not in ascending date_modified_gmt order; ` +
          'a plugin or cache may be overriding orderby=modified',
      });
    }
  }
  return keyed;
}

function sortByKey(items: Keyed[]): Keyed[] {
  return [...items].sort((a, b) =>
    a.modified < b.modified ? -1 : a.modified > b.modified ? 1 : a.id - b.id,
  );
}
