import type { CanonicalRecord, SyncEntityType } from '../adapters/types.js';
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
 * The batch as the one JSON parameter of commit-batch.sql (expanded there
 * by `jsonb_to_recordset`): the last
 * occurrence of each external id, each record serialised once — that text is
 * both the hash input and the stored jsonb.
 */
export function recordsParameter(records: CanonicalRecord[]): string {
  const rowsJson = lastOccurrences(records).map((r) => {
    const json = canonicalJson(r.data);
    const updatedAt = r.sourceUpdatedAt ? `"${r.sourceUpdatedAt.toISOString()}"` : 'null';
    return `{"external_id":${JSON.stringify(r.externalId)},"data":${json},"content_hash":"${sha256Hex(json)}","source_updated_at":${updatedAt}}`;
  });
  return `[${rowsJson.join(',')}]`;
}

/**
 * What a batch's upsert did, from the rows it created and updated: the other
 * records examined (duplicates inside one batch count once each) were unchanged.
 */
export function recordDelta(examined: number, created: number, updated: number): RecordDelta {
  return { created, updated, unchanged: examined - created - updated };
}
