import type { CanonicalRecord, SyncEntityType } from '../adapters/types.js';
import type { PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { canonicalJson, sha256Hex } from './content-hash.js';

export interface RecordDelta {
  created: number;
  updated: number;
  unchanged: number;
}

export interface BatchTarget {
  orgId: string;
  connectionId: string;
  entityType: SyncEntityType;
  syncId: string;
}

/** Keeps the last occurrence of each external id (ON CONFLICT cannot touch a row twice). */
function lastOccurrences(records: CanonicalRecord[]): CanonicalRecord[] {
  const byId = new Map<string, CanonicalRecord>();
  for (const r of records) byId.set(r.externalId, r);
  return [...byId.values()];
}

/**
 * Writes one batch of records into `sync_record` with a single statement
 * (upsert-records.sql, the batch as one JSON parameter expanded by
 * `jsonb_to_recordset`), inside the caller's transaction. Unchanged rows
 * (equal content hash) are not rewritten.
 */
export async function upsertRecords(
  tx: PrismaTx,
  target: BatchTarget,
  records: CanonicalRecord[],
): Promise<RecordDelta> {
  if (records.length === 0) return { created: 0, updated: 0, unchanged: 0 };
  const unique = lastOccurrences(records);
  // Each record is serialised once: that text is both the hash input and the
  // stored jsonb, spliced into the batch's one JSON parameter.
  const rowsJson = unique.map((r) => {
    const json = canonicalJson(r.data);
    const updatedAt = r.sourceUpdatedAt ? `"${r.sourceUpdatedAt.toISOString()}"` : 'null';
    return `{"external_id":${JSON.stringify(r.externalId)},"data":${json},"content_hash":"${sha256Hex(json)}","source_updated_at":${updatedAt}}`;
  });
  const rows = await tx.$queryRawUnsafe<{ created: number; updated: number }[]>(
    loadSql('upsert-records'),
    `[${rowsJson.join(',')}]`,
    target.connectionId,
    target.entityType,
    target.orgId,
    target.syncId,
  );
  const created = rows[0]?.created ?? 0;
  const updated = rows[0]?.updated ?? 0;
  // Duplicates inside one page count once as examined items, as unchanged.
  return { created, updated, unchanged: records.length - created - updated };
}
