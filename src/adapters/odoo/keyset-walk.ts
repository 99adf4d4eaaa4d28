import { sourceError } from '../../errors.js';
import { odooId, odooSecond, odooWriteSecond, type KeysetPosition } from './checkpoint.js';
import type { OdooDomain } from './entities.js';

/**
 * A keyset walk on (`write_date`, `id`), never an offset, so records that
 * change, appear or vanish during the run cannot shift a page.
 *
 * Why not the textbook domain `write_date > last OR (write_date = last AND id >
 * last_id)`: Odoo stores `write_date` with microseconds (the transaction's
 * `now()`) but reads it out in whole seconds, so `write_date = last` misses
 * every record written in that second but at its first microsecond, and
 * `write_date > last` meets the ones already emitted again — a second with
 * more records than a page would never end. So the walk keys on whole seconds:
 *
 * - main step: `write_date >= from`, `order: write_date asc, id asc`. A short
 *   page ends the walk. In a full page the seconds before the page's last one
 *   are complete (the order puts every record of a second before any later
 *   one), so they are emitted and `from` moves to that last second, which the
 *   next request reads again.
 * - a full page within one second (a bulk write: 200 partners sharing one
 *   `write_date`) is walked on its own by id: `from <= write_date < from + 1 s
 *   AND id > lastId`, `order: id asc`, then `from` moves past it.
 *
 * A record modified during the walk takes a newer `write_date` and is met
 * again further on, so the run ends with its newest state. Every record that
 * existed unchanged throughout the run is emitted exactly once: a full walk is
 * complete. A record modified within the very second being walked by id may be
 * missed by that step; the next incremental run's overlap sees it.
 */
export interface KeysetWalkOptions {
  /** Records of the route's domain ANDed with `terms`, in `order`, at most `limit`. */
  fetch: (terms: OdooDomain, order: string, limit: number, signal?: AbortSignal) => Promise<unknown[]>;
  model: string;
  pageSize: number;
  start: KeysetPosition;
  signal?: AbortSignal;
}

export interface KeysetPage {
  items: unknown[];
  position: KeysetPosition;
  done: boolean;
}

const KEYSET_ORDER = 'write_date asc, id asc';

export async function* walkByKeyset(options: KeysetWalkOptions): AsyncGenerator<KeysetPage> {
  const { model, signal } = options;
  const limit = Math.max(2, Math.floor(options.pageSize));
  let position: KeysetPosition = { ...options.start };
  for (;;) {
    signal?.throwIfAborted();
    if (position.tie) {
      const { second, lastId } = position.tie;
      const raw = await options.fetch(
        [
          ['write_date', '>=', second],
          ['write_date', '<', odooSecond(second, 1)],
          ['id', '>', lastId],
        ],
        'id asc',
        limit,
        signal,
      );
      const items = raw.filter((r) => odooWriteSecond(r, model) === second && odooId(r, model) > lastId);
      position =
        raw.length < limit
          ? { from: odooSecond(second, 1) }
          : { from: second, tie: { second, lastId: odooId(raw.at(-1), model) } };
      if (items.length > 0) yield { items, position: { ...position }, done: false };
      continue;
    }

    const from = position.from;
    const raw = await options.fetch(from ? [['write_date', '>=', from]] : [], KEYSET_ORDER, limit, signal);
    const seconds = ascendingSeconds(raw, model);
    const fresh = from ? raw.filter((_, i) => seconds[i]! >= from) : raw;
    if (raw.length < limit) {
      yield { items: fresh, position: { from: seconds.at(-1) ?? from }, done: true };
      return;
    }
    const last = seconds.at(-1)!;
    const complete = raw.filter((_, i) => seconds[i]! < last && (!from || seconds[i]! >= from));
    if (complete.length === 0) {
      position = { from: last, tie: { second: last, lastId: 0 } };
      continue;
    }
    position = { from: last };
    yield { items: complete, position: { ...position }, done: false };
  }
}

/** The records' `write_date` seconds, which the requested order makes non-decreasing. */
function ascendingSeconds(raw: unknown[], model: string): string[] {
  const seconds = raw.map((r) => odooWriteSecond(r, model));
  for (let i = 1; i < seconds.length; i++) {
    if (seconds[i]! < seconds[i - 1]!) {
      throw sourceError({
        kind: 'incompatible',
        message:
          `Odoo ${model}: records are not in ascending write_date order (${seconds[i - 1]} then ${seconds[i]}); ` +
          'a module may be overriding the search order',
      });
    }
  }
  return seconds;
}
