import { z } from 'zod';
import { ErrorCodes, sourceError, SyncWorkerError } from '../../errors.js';
import type { PageCheckpoint } from '../types.js';

/**
 * The Odoo checkpoints (JSON, stored by the engine after every batch).
 *
 * - `keyset` (page walks): every record whose `write_date` second is before
 *   `from` has been emitted (`from` null: nothing yet); `tie`, when present,
 *   walks the one second `tie.second` (= `from`) by id, every id ≤ `lastId`
 *   of that second emitted.
 * - `ids` (deletion scans): every id ≤ `lastId` has been listed.
 */
const second = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
const keyset = z.object({
  from: second.nullable(),
  tie: z.object({ second, lastId: z.number().int().min(0) }).optional(),
});

const checkpointSchema = z.discriminatedUnion('walk', [
  z.object({ v: z.literal(1), walk: z.literal('keyset'), ...keyset.shape }),
  z.object({ v: z.literal(1), walk: z.literal('ids'), lastId: z.number().int().min(0) }),
]);

export type OdooCheckpoint = z.infer<typeof checkpointSchema>;
export type KeysetPosition = z.infer<typeof keyset>;

export function parseOdooCheckpoint(value: PageCheckpoint | null | undefined): OdooCheckpoint | null {
  if (value === null || value === undefined) return null;
  const parsed = checkpointSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SyncWorkerError(
    ErrorCodes.VALIDATION_FAILED,
    `not an Odoo page checkpoint: ${JSON.stringify(value).slice(0, 200)} ` +
      `(${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
  );
}

/** The positive integer id of a raw record; a record without one breaks paging, so it is fatal. */
export function odooId(raw: unknown, model: string): number {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id === 'number' && Number.isInteger(id) && id > 0) return id;
  throw sourceError({ kind: 'incompatible', message: `Odoo ${model}: a record has no integer id` });
}

/** The `write_date` second of a raw record (`YYYY-MM-DD HH:MM:SS`, UTC). */
export function odooWriteSecond(raw: unknown, model: string): string {
  const value = (raw as { write_date?: unknown } | null)?.write_date;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/.test(value)) {
    return value.slice(0, 19).replace('T', ' ');
  }
  throw sourceError({
    kind: 'incompatible',
    message: `Odoo ${model}: record ${String((raw as { id?: unknown } | null)?.id)} has no write_date`,
  });
}

/** A UTC instant as Odoo's naive UTC datetime, whole seconds, shifted by `deltaSeconds`. */
export function odooSecond(at: Date | string, deltaSeconds = 0): string {
  const text = typeof at === 'string' ? at.trim().replace(' ', 'T') : '';
  const ms =
    (typeof at === 'string' ? Date.parse(/Z|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`) : at.getTime()) +
    deltaSeconds * 1000;
  if (Number.isNaN(ms)) throw new SyncWorkerError(ErrorCodes.VALIDATION_FAILED, `not a date: ${String(at)}`);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}
