import { z } from 'zod';
import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { PageCheckpoint } from '../types.js';

/**
 * The Shopify page checkpoints (JSON, stored by the engine after every batch).
 *
 * - `keyset`: a cursor walk of one connection in `sortKey` order under the
 *   search `filter`; `after` is Shopify's `endCursor` of the last page
 *   emitted (null: from the start). The filter is part of the checkpoint
 *   because a cursor is only valid for the query string it came from.
 * - `bulk`: a bulk export; `line` is the JSONL line from which the next page
 *   starts (every root object on an earlier line was emitted). `url` is the
 *   result file as last seen (signed URLs expire: the operation is polled
 *   again for a fresh one when it fails).
 * - `ids`: a deletion scan by id; `after` as for keyset.
 */
const keyset = z.object({
  v: z.literal(1),
  walk: z.literal('keyset'),
  sortKey: z.enum(['ID', 'UPDATED_AT']),
  filter: z.string().nullable(),
  after: z.string().nullable(),
});
const bulk = z.object({
  v: z.literal(1),
  walk: z.literal('bulk'),
  operationId: z.string().min(1),
  url: z.string().nullable(),
  line: z.number().int().min(0),
});
const ids = z.object({ v: z.literal(1), walk: z.literal('ids'), after: z.string().nullable() });

const checkpointSchema = z.discriminatedUnion('walk', [keyset, bulk, ids]);

export type ShopifyCheckpoint = z.infer<typeof checkpointSchema>;
export type KeysetCheckpoint = z.infer<typeof keyset>;
export type BulkCheckpoint = z.infer<typeof bulk>;

export function parseShopifyCheckpoint(value: PageCheckpoint | null | undefined): ShopifyCheckpoint | null {
  if (value === null || value === undefined) return null;
  const parsed = checkpointSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SyncWorkerError(
    ErrorCodes.VALIDATION_FAILED,
    `not a Shopify page checkpoint: ${JSON.stringify(value).slice(0, 200)} ` +
      `(${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
  );
}
