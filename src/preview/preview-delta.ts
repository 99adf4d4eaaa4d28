import type { CanonicalRecord, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import { canonicalJson, sha256Hex } from '../sync/content-hash.js';
import { checkDeletions, collectSourceIds, liveExternalIds } from '../sync/deletion-scan.js';
import { mapPage } from '../sync/map-page.js';

/** Items kept per list (`new`, `updated`, `deleted`) unless told otherwise; the statistics stay exact. */
export const DEFAULT_PREVIEW_ITEM_LIMIT = 100;
/** Mapping failures kept as a sample (their count is exact). */
const FAILURE_SAMPLE = 20;

export interface PreviewStatistics {
  new_count: number;
  updated_count: number;
  deleted_count: number;
  /** new + updated + deleted: the records a full sync would write. */
  total_affected: number;
  unchanged_count: number;
  /** Source items that could not be mapped (a sync would count them as failed). */
  failed_count: number;
  /** Source items examined. */
  examined_count: number;
}

export interface PreviewUpdatedItem {
  id: string;
  /** The changed top-level fields only, as stored in the mirror. */
  old_data: Record<string, unknown>;
  /** The changed top-level fields only, as the source has them now. */
  new_data: Record<string, unknown>;
  /** Set when the mirror row was marked deleted and the source has it again. */
  restored?: true;
}

/** The seed's `delta_json` shape, plus the context a reader needs. */
export interface PreviewDelta {
  /** New records: `{id, …canonical data}`. */
  new: Record<string, unknown>[];
  updated: PreviewUpdatedItem[];
  /** Records a full sync would mark deleted: `{id, …stored data}`. */
  deleted: Record<string, unknown>[];
  statistics: PreviewStatistics;
  /** Mapping failures, a sample. */
  failures: { id: string; reason: string }[];
  /** Cap of each item list; lists are truncated when a count exceeds it. */
  item_limit: number;
  truncated: boolean;
  /**
   * What a full sync's delete guard would do with `deleted_count`: it marks
   * nothing when more than `limit` (SYNC_DELETE_GUARD of the `live` mirror)
   * would go. Absent when the preview was computed without a guard.
   */
  delete_guard?: { live: number; limit: number; blocked: boolean };
  connection_id: string;
  entity_type: SyncEntityType;
}

export interface PreviewDeltaOptions {
  /** Reads only: the preview never writes. */
  db: PrismaClient | PrismaTx;
  adapter: SourceAdapter;
  connectionId: string;
  entityType: SyncEntityType;
  pageSize: number;
  /** SYNC_DELETE_GUARD: reported as `delete_guard` (the deletions are counted either way). */
  deleteGuard?: number;
  /** @defaultValue DEFAULT_PREVIEW_ITEM_LIMIT */
  itemLimit?: number;
  signal?: AbortSignal;
}

interface MirrorRow {
  external_id: string;
  content_hash: string;
  deleted: boolean;
  data: Record<string, unknown> | null;
}

/**
 * Deep equality of JSON values, whatever the key order (data read back from
 * jsonb has Postgres' key order, not the adapter's).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Top-level fields whose values differ, from each side. */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { old_data: Record<string, unknown>; new_data: Record<string, unknown> } {
  const old_data: Record<string, unknown> = {};
  const new_data: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (sameJson(before[key], after[key])) continue;
    if (key in before) old_data[key] = before[key];
    if (key in after) new_data[key] = after[key];
  }
  return { old_data, new_data };
}

/**
 * What a full sync of one entity would change, without writing anything:
 * every page of the source (full mode, from the start) is mapped and hashed
 * like the batch writer does (sha256 of the canonical JSON), and compared with
 * `sync_record` in one query per page; then the source's id scan against the
 * live mirror gives the deletions. Statistics are exact; item lists are capped
 * at `itemLimit` each.
 */
export async function computePreviewDelta(options: PreviewDeltaOptions): Promise<PreviewDelta> {
  const { db, adapter, connectionId, entityType } = options;
  const limit = options.itemLimit ?? DEFAULT_PREVIEW_ITEM_LIMIT;
  const delta: PreviewDelta = {
    new: [],
    updated: [],
    deleted: [],
    statistics: {
      new_count: 0,
      updated_count: 0,
      deleted_count: 0,
      total_affected: 0,
      unchanged_count: 0,
      failed_count: 0,
      examined_count: 0,
    },
    failures: [],
    item_limit: limit,
    truncated: false,
    connection_id: connectionId,
    entity_type: entityType,
  };
  const stats = delta.statistics;
  // A record met twice (pages shift while walking) counts once, as its last state.
  const seen = new Set<string>();

  const pages = adapter.pages({
    entity: entityType,
    mode: 'full',
    since: null,
    checkpoint: null,
    pageSize: options.pageSize,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let finished = false;
  for await (const page of pages) {
    // The engine's own page mapping: what a sync would write is what is compared.
    const mapped = mapPage(adapter, entityType, page.items, null);
    stats.examined_count += page.items.length;
    stats.failed_count += mapped.failures.length;
    for (const failure of mapped.failures) {
      if (delta.failures.length < FAILURE_SAMPLE) {
        delta.failures.push({ id: failure.externalId, reason: failure.reason });
      }
    }
    const records = new Map<string, { record: CanonicalRecord; json: string; hash: string }>();
    for (const record of mapped.records) {
      const id = record.externalId;
      if (seen.has(id)) continue;
      const json = canonicalJson(record.data);
      records.set(id, { record, json, hash: sha256Hex(json) });
    }
    if (records.size > 0) await comparePage(db, options, records, delta, limit);
    for (const id of records.keys()) seen.add(id);
    if (page.done) {
      finished = true;
      break;
    }
  }
  if (!finished) {
    throw new SyncWorkerError(
      ErrorCodes.SOURCE_BAD_RESPONSE,
      `the ${entityType} page walk ended without a last page`,
      { retry: 'retryable' },
    );
  }

  await findDeletions(db, options, delta, limit);
  stats.total_affected = stats.new_count + stats.updated_count + stats.deleted_count;
  delta.truncated =
    stats.new_count > delta.new.length ||
    stats.updated_count > delta.updated.length ||
    stats.deleted_count > delta.deleted.length;
  return delta;
}

async function comparePage(
  db: PrismaClient | PrismaTx,
  options: PreviewDeltaOptions,
  records: Map<string, { record: CanonicalRecord; json: string; hash: string }>,
  delta: PreviewDelta,
  limit: number,
): Promise<void> {
  const ids = [...records.keys()];
  const rows = await db.$queryRawUnsafe<MirrorRow[]>(
    loadSql('preview-mirror-rows'),
    options.connectionId,
    options.entityType,
    ids,
    ids.map((id) => records.get(id)!.hash),
  );
  const mirror = new Map(rows.map((r) => [r.external_id, r]));
  const stats = delta.statistics;
  for (const [id, { record, hash }] of records) {
    const row = mirror.get(id);
    if (!row) {
      stats.new_count++;
      if (delta.new.length < limit) delta.new.push(withId(id, record.data));
    } else if (row.deleted || row.content_hash !== hash) {
      // As the batch writer: a changed hash, or a soft-deleted row coming back, is an update.
      stats.updated_count++;
      if (delta.updated.length < limit) {
        const item: PreviewUpdatedItem = { id, ...changedFields(row.data ?? {}, record.data) };
        if (row.deleted) item.restored = true;
        delta.updated.push(item);
      }
    } else {
      stats.unchanged_count++;
    }
  }
}

async function findDeletions(
  db: PrismaClient | PrismaTx,
  options: PreviewDeltaOptions,
  delta: PreviewDelta,
  limit: number,
): Promise<void> {
  const { adapter, connectionId, entityType } = options;
  const sourceIds = await collectSourceIds(adapter, entityType, options.signal);
  const live = await liveExternalIds(db, connectionId, entityType);
  // The sync's own deletion check (and guard): the preview says what a full sync would do.
  const check = checkDeletions(live, sourceIds, options.deleteGuard ?? 1);
  delta.statistics.deleted_count = check.vanished.length;
  if (options.deleteGuard !== undefined) {
    delta.delete_guard = { live: check.live, limit: check.limit, blocked: check.blocked };
  }
  if (check.vanished.length === 0) return;
  const sample = check.vanished.sort((a, b) => adapter.compareIds(a, b)).slice(0, limit);
  const rows = await db.$queryRawUnsafe<{ external_id: string; data: Record<string, unknown> }[]>(
    loadSql('preview-deleted-rows'),
    connectionId,
    entityType,
    sample,
  );
  const byId = new Map(rows.map((r) => [r.external_id, r.data]));
  delta.deleted = sample.map((id) => withId(id, byId.get(id) ?? {}));
}

/** `{id, …data}`, the id first and never overwritten by a field of the data. */
function withId(id: string, data: Record<string, unknown>): Record<string, unknown> {
  return Object.assign({ id }, data, { id });
}
