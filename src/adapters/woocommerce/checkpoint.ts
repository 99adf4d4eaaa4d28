import { z } from 'zod';
import { ErrorCodes, sourceError, SyncWorkerError } from '../../errors.js';
import type { PageCheckpoint } from '../types.js';

/**
 * The WooCommerce page checkpoints (JSON, stored by the engine after every batch).
 *
 * - `id` walk (full scans, id scans): `offset` is the position right after the
 *   item `lastId` in the id-ascending list as last seen; every id ≤ `lastId`
 *   has been emitted.
 * - `modified` walk (incremental): every item with `date_modified_gmt` ≤
 *   `after` (UTC, whole seconds, `YYYY-MM-DDTHH:MM:SS`) has been emitted;
 *   `tie`, when present, is an id walk inside the one second `tie.second`
 *   that held more items than a page.
 * - `single`: an unpaginated route (products/attributes), fetched in one go.
 */
const idWalk = z.object({ offset: z.number().int().min(0), lastId: z.number().int().min(0) });
const second = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);

const checkpointSchema = z.discriminatedUnion('walk', [
  z.object({ v: z.literal(1), walk: z.literal('id'), ...idWalk.shape }),
  z.object({
    v: z.literal(1),
    walk: z.literal('modified'),
    after: second,
    tie: z.object({ second, ...idWalk.shape }).optional(),
  }),
  z.object({ v: z.literal(1), walk: z.literal('single') }),
]);

export type WooCheckpoint = z.infer<typeof checkpointSchema>;
export type IdPosition = z.infer<typeof idWalk>;
export type ModifiedPosition = Omit<Extract<WooCheckpoint, { walk: 'modified' }>, 'v' | 'walk'>;

export function parseCheckpoint(value: PageCheckpoint | null): WooCheckpoint | null {
  if (value === null) return null;
  const parsed = checkpointSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SyncWorkerError(
    ErrorCodes.VALIDATION_FAILED,
    `not a WooCommerce page checkpoint: ${JSON.stringify(value).slice(0, 200)} ` +
      `(${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
  );
}

/** The positive integer id of a raw item; a source item without one breaks paging, so it is fatal. */
export function itemId(raw: unknown, route: string): number {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id === 'number' && Number.isInteger(id) && id > 0) return id;
  throw sourceError({ kind: 'incompatible', message: `WooCommerce ${route}: an item has no integer id` });
}

/** `date_modified_gmt` of a raw item, cut to whole seconds (`YYYY-MM-DDTHH:MM:SS`). */
export function itemModified(raw: unknown, route: string): string {
  const value = (raw as { date_modified_gmt?: unknown } | null)?.date_modified_gmt;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value))
    return value.slice(0, 19);
  throw sourceError({
    kind: 'incompatible',
    message: `WooCommerce ${route}: item ${String((raw as { id?: unknown } | null)?.id)} has no date_modified_gmt`,
  });
}

/** A UTC instant as WooCommerce's zone-less GMT second, shifted by `deltaSeconds`. */
export function wooSecond(at: Date | string, deltaSeconds = 0): string {
  const ms =
    (typeof at === 'string' ? Date.parse(/Z|[+-]\d\d:\d\d$/.test(at) ? at : `${at}Z`) : at.getTime()) +
    deltaSeconds * 1000;
  if (Number.isNaN(ms)) {
    throw new SyncWorkerError(ErrorCodes.VALIDATION_FAILED, `not a date: ${String(at)}`);
  }
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
}
