import { readFileSync } from 'node:fs';
import type { CanonicalRecord } from '../src/adapters/types.js';
import type { PrismaTx } from '../src/db/prisma.js';
import {
  recordDelta,
  recordsParameter,
  type BatchTarget,
  type RecordDelta,
} from '../src/sync/batch-writer.js';

const sql = readFileSync(new URL('./records-upsert.sql', import.meta.url), 'utf8');

/**
 * The progress-cost baseline: one batch of records written into `sync_record`
 * by one statement (records-upsert.sql, the records part of commit-batch.sql
 * alone), with no progress row and no log row.
 */
export async function upsertRecords(
  tx: PrismaTx,
  target: BatchTarget,
  records: CanonicalRecord[],
): Promise<RecordDelta> {
  if (records.length === 0) return { created: 0, updated: 0, unchanged: 0 };
  const rows = await tx.$queryRawUnsafe<{ created: number; updated: number }[]>(
    sql,
    recordsParameter(records),
    target.connectionId,
    target.entityType,
    target.orgId,
    target.syncId,
  );
  return recordDelta(records.length, rows[0]?.created ?? 0, rows[0]?.updated ?? 0);
}
