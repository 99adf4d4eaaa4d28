import type { SyncEntityType } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { canonicalJson, sha256Hex } from '../sync/content-hash.js';
import type { PreviewDelta } from './preview-delta.js';

type Db = PrismaClient | PrismaTx;

/** Bumped when the delta's shape or the key's inputs change, so old rows are never served. */
const CACHE_KEY_VERSION = 1;

/** A preview as stored in `sync_preview_cache`. */
export interface CachedPreview {
  cacheKey: string;
  orgId: string;
  syncType: string | null;
  /** The preview job's id. */
  syncId: string | null;
  computedBy: string | null;
  computedAt: string;
  expiresAt: string;
  delta: PreviewDelta;
}

interface MirrorState {
  live_count: number;
  row_count: number;
  last_synced_at: string | null;
  last_deleted_at: string | null;
  last_sync_id: string | null;
}

/**
 * The cache key of a preview: sha256 of its inputs — the (connection, entity)
 * and the state of their mirror (live and total row counts, newest
 * `last_synced_at` and `deleted_at`, the last ended sync). Any sync that
 * writes or ends changes the key, so a cached preview is served only while
 * the mirror it was computed against is unchanged (and for one hour at most).
 */
export async function previewCacheKey(
  db: Db,
  connectionId: string,
  entityType: SyncEntityType,
): Promise<string> {
  const [state] = await db.$queryRawUnsafe<MirrorState[]>(
    loadSql('preview-mirror-state'),
    connectionId,
    entityType,
  );
  return sha256Hex(
    canonicalJson({
      v: CACHE_KEY_VERSION,
      connectionId,
      entityType,
      liveCount: state?.live_count ?? 0,
      rowCount: state?.row_count ?? 0,
      lastSyncedAt: state?.last_synced_at ?? null,
      lastDeletedAt: state?.last_deleted_at ?? null,
      lastSyncId: state?.last_sync_id ?? null,
    }),
  );
}

/** The BullMQ job id of the preview with this key: identical requests make one job. */
export function previewJobId(cacheKey: string): string {
  return `preview-${cacheKey}`;
}

export const CACHE_KEY_PATTERN = /^[0-9a-f]{64}$/;

interface CacheRow {
  cache_key: string;
  org_id: string;
  sync_type: string | null;
  sync_id: string | null;
  delta_json: PreviewDelta;
  computed_by: string | null;
  computed_at: Date;
  expires_at: Date;
}

/** The non-expired cached preview with this key (under RLS when `db` is the API's transaction). */
export async function findCachedPreview(db: Db, cacheKey: string): Promise<CachedPreview | null> {
  const [row] = await db.$queryRawUnsafe<CacheRow[]>(loadSql('find-preview-cache'), cacheKey);
  if (!row) return null;
  return {
    cacheKey: row.cache_key,
    orgId: row.org_id,
    syncType: row.sync_type,
    syncId: row.sync_id,
    computedBy: row.computed_by,
    computedAt: row.computed_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    delta: row.delta_json,
  };
}

/** Inserts (or refreshes, TTL included) the cached preview under its key. */
export async function storePreview(
  db: Db,
  entry: {
    orgId: string;
    syncType: string;
    syncId: string;
    computedBy: string | null;
    cacheKey: string;
    delta: PreviewDelta;
  },
): Promise<{ computedAt: string; expiresAt: string }> {
  const [row] = await db.$queryRawUnsafe<{ computed_at: Date; expires_at: Date }[]>(
    loadSql('upsert-preview-cache'),
    entry.orgId,
    entry.syncType,
    entry.syncId,
    JSON.stringify(entry.delta),
    entry.computedBy,
    entry.cacheKey,
  );
  return { computedAt: row!.computed_at.toISOString(), expiresAt: row!.expires_at.toISOString() };
}
