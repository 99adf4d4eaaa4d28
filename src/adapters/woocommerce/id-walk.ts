import type { LimitFunction } from 'p-limit';
import { sourceError } from '../../errors.js';
import { itemId, type IdPosition } from './checkpoint.js';

/**
 * Offset paging in id-ascending order, made safe for a set that changes
 * during the walk.
 *
 * WooCommerce has no "id greater than" filter, only `offset`. When records
 * before the cursor are deleted mid-walk, every later record shifts left and
 * a plain offset walk silently skips as many records. So:
 *
 * 1. Position `{ offset, lastId }`: `offset` is where the item after `lastId`
 *    was last seen. The next window is requested from `offset − overlap`.
 * 2. Continuity: the window is trusted only if it starts at offset 0 or its
 *    first item has an id ≤ `lastId`. Then everything before the window has a
 *    smaller id, so no id > `lastId` can have been skipped. Otherwise (records
 *    behind us vanished, or the window is empty past a shrunken end) the walk
 *    steps back — one page, then doubling — and looks again.
 * 3. Items with id ≤ `lastId` (the overlap) are dropped, so each id is emitted
 *    at most once, in ascending order. Records added mid-walk get higher ids and
 *    appear at the end.
 * 4. Once the first window has answered, the next `2 × prefetch − 1` windows
 *    are requested speculatively and p-limit runs them `prefetch` at a time:
 *    a slot freed by any answer starts the next window at once, whether or not
 *    the walk has consumed the answers before it (the pacing of plain p-limit
 *    fetching, issue 7). No window is speculated at or past the set's size
 *    last reported (`X-WP-Total`); the window at the position is always asked,
 *    so records added mid-walk are still met. Each window is still checked
 *    for continuity when consumed, and discarded after a step-back.
 * 5. A window that holds fewer raw items than requested while its own
 *    `X-WP-Total` counts more beyond its start is a stale or broken answer (a
 *    cache's empty page): a retryable SOURCE_BAD_RESPONSE, never the end.
 * 6. Done when a trusted window holds fewer raw items than requested, be it
 *    speculative: trusted at its fetch time, it held every id above `lastId`
 *    that existed then, so every record present throughout the walk was met
 *    (fetching it again cost a request and a round trip at the end of every
 *    walk, issue 7). Records added after it was fetched are the next run's.
 */
/** One answered window. */
export interface WindowAnswer {
  /** Raw items from the window's offset, at most its limit, in ascending id order. */
  items: unknown[];
  /** The set's size when it answered (`X-WP-Total`), if the source said. */
  total?: number | undefined;
}

export interface IdWalkOptions {
  fetchWindow: (offset: number, limit: number, signal: AbortSignal) => Promise<WindowAnswer>;
  /** Route name for error messages. */
  route: string;
  /** New items per page; a request asks for `pageItems + overlap` (≤ the source's maximum). */
  pageItems: number;
  /** Items re-read before the position (≥ 1). */
  overlap: number;
  /** Windows in flight at once, the current one included (≥ 1); above 1, twice as many are asked ahead. */
  prefetch: number;
  limit: LimitFunction;
  start: IdPosition;
  signal?: AbortSignal;
}

export interface IdWalkPage {
  /** New raw items (id > the previous lastId), ascending. */
  items: unknown[];
  position: IdPosition;
  done: boolean;
  /** No continuity check has failed since the walk started (no step back was needed). */
  continuous: boolean;
}

interface Window {
  start: number;
  limit: number;
  promise: Promise<WindowAnswer>;
}

export async function* walkById(options: IdWalkOptions): AsyncGenerator<IdWalkPage> {
  const { pageItems, overlap, route } = options;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  /** Windows by the position offset they serve. */
  const windows = new Map<number, Window>();
  const request = (offset: number): Window => {
    let window = windows.get(offset);
    if (!window) {
      const start = Math.max(0, offset - overlap);
      const limit = offset - start + pageItems;
      const promise = options.limit(() => {
        signal.throwIfAborted();
        return options.fetchWindow(start, limit, signal);
      });
      promise.catch(() => undefined); // consumed (and rethrown) when its turn comes
      window = { start, limit, promise };
      windows.set(offset, window);
    }
    return window;
  };

  let position = { ...options.start };
  let stepBack = pageItems + overlap;
  let answered = false;
  let continuous = true;
  /** The set's size last reported: no window is speculated from there on. */
  let knownTotal = Number.POSITIVE_INFINITY;
  /** Windows asked ahead of the position, the current one included (none beyond it with a prefetch of 1). */
  const ahead = options.prefetch > 1 ? 2 * options.prefetch : 1;
  try {
    for (;;) {
      const current = request(position.offset);
      // Speculate only once the source has answered (a bad key fails one request, not a burst).
      if (answered) {
        for (let i = 1; i < ahead; i++) {
          const offset = position.offset + i * pageItems;
          if (offset - overlap >= knownTotal) break;
          request(offset);
        }
      }
      const answer = await current.promise;
      const raw = answer.items;
      answered = true;
      windows.delete(position.offset);
      const ids = ascendingIds(raw, route);
      const { start, limit } = current;
      if (answer.total !== undefined) {
        // A short window is the end of the set: its own X-WP-Total must not promise more (a caching
        // plugin's empty page with a stale total would otherwise end the walk early and lose records).
        if (raw.length < limit && start + raw.length < answer.total)
          throw shortWindow(route, start, raw.length, answer.total);
        knownTotal = answer.total;
      }

      const trusted = start === 0 || (ids.length > 0 && ids[0]! <= position.lastId);
      if (!trusted) {
        continuous = false;
        windows.clear();
        position = { offset: Math.max(0, start - stepBack) + overlap, lastId: position.lastId };
        stepBack *= 2;
        continue;
      }
      stepBack = pageItems + overlap;
      const done = raw.length < limit;
      const items = raw.filter((_, i) => ids[i]! > position.lastId);
      position = { offset: start + raw.length, lastId: Math.max(position.lastId, ids.at(-1) ?? 0) };
      for (const key of windows.keys()) if (key < position.offset) windows.delete(key);
      if (items.length > 0 || done) yield { items, position: { ...position }, done, continuous };
      if (done) return;
    }
  } finally {
    stop.abort(); // speculative requests still in flight
  }
}

function shortWindow(route: string, start: number, items: number, total: number) {
  return sourceError({
    kind: 'bad_response',
    message:
      `WooCommerce ${route}: ${items} items from offset ${start}, but X-WP-Total says ${total}; ` +
      'a cache may be serving a stale page (the attempt is retried from its checkpoint)',
  });
}

function ascendingIds(raw: unknown[], route: string): number[] {
  const ids = raw.map((item) => itemId(item, route));
  for (let i = 1; i < ids.length; i++) {
    if (ids[i]! <= ids[i - 1]!) {
      throw sourceError({
        kind: 'incompatible',
        message:
          `WooCommerce ${route}: items are not in ascending id order (${ids[i - 1]} then ${ids[i]}); ` +
          'a plugin or cache may be overriding orderby=id',
      });
    }
  }
  return ids;
}
