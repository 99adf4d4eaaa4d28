import type { SyncWorkerError } from '../errors.js';
import type { SyncEntityType, SyncType } from '../generated/prisma/enums.js';

export type { SyncEntityType, SyncType };

/** The canonical form of one source record, as stored in `sync_record.data`. */
export interface CanonicalRecord {
  /** The source's id, as a string (`"123"`, `"gid://shopify/Customer/1"`). */
  externalId: string;
  /** When the source last changed it (UTC), when the source says. */
  sourceUpdatedAt: Date | null;
  /** Canonical, JSON-serialisable data; its hash decides "unchanged". */
  data: Record<string, unknown>;
}

/** Mapping one raw item either succeeds or names the item and the reason. */
export type MapResult =
  { ok: true; record: CanonicalRecord } | { ok: false; externalId: string; reason: string };

/**
 * Where a page walk stands. Opaque to the engine (adapter-defined JSON),
 * stored in `sync_progress.metadata.checkpoint` after every batch, and handed
 * back to `pages()` to resume. Must be JSON-serialisable.
 */
export type PageCheckpoint = Record<string, unknown>;

/** A chunk of a deletion scan: source ids, and where the scan resumes after them. */
export interface IdChunk {
  ids: string[];
  checkpoint: PageCheckpoint;
}

/** The incremental cursor kept in `sync_state.cursor` between runs. */
export interface IncrementalCursor {
  /** ISO-8601 UTC of the newest `sourceUpdatedAt` seen. */
  updatedAt: string;
  /** External id of that record (ties are broken by id). */
  id: string;
}

export interface PageRequest {
  entity: SyncEntityType;
  mode: 'full' | 'incremental';
  /** For incremental runs: records changed after this cursor (minus the adapter's overlap). */
  since: IncrementalCursor | null;
  /** Resume after this checkpoint (null: from the start). */
  checkpoint: PageCheckpoint | null;
  /** Records per page (the batch size); adapters clamp to the source's maximum. */
  pageSize: number;
  /** Aborted when the job must stop (cancel, shutdown). */
  signal?: AbortSignal;
}

export interface Page {
  /** Raw items of the page, in the adapter's stable order (already deduplicated against the checkpoint). */
  items: unknown[];
  /** The checkpoint that resumes right after this page. */
  checkpoint: PageCheckpoint;
  /** True on the last page. */
  done: boolean;
}

export interface CountRequest {
  entity: SyncEntityType;
  mode: 'full' | 'incremental';
  since: IncrementalCursor | null;
  signal?: AbortSignal;
}

/**
 * One source system. An adapter instance is bound to one connection
 * (base URL + decrypted credentials + settings) by its factory.
 */
export interface SourceAdapter {
  readonly type: SyncType;
  /** Most records one page request may return (WooCommerce: 100). Batches larger than this span several pages. */
  readonly maxPageSize: number;
  /** Entity types this source has; others fail with ENTITY_NOT_SUPPORTED. */
  readonly entities: readonly SyncEntityType[];
  /** True when the source filters by modification time server-side for this entity. */
  supportsIncremental(entity: SyncEntityType): boolean;
  /** Items the run will examine (for incremental: those changed since the cursor). */
  count(request: CountRequest): Promise<number>;
  /** Pages in a stable order from the checkpoint; concurrency bounded inside (p-limit). */
  pages(request: PageRequest): AsyncIterable<Page>;
  /**
   * Every external id currently in the source (deletion scan), in chunks,
   * each with the checkpoint that resumes the scan right after it (`from`).
   */
  scanIds(entity: SyncEntityType, signal?: AbortSignal, from?: PageCheckpoint | null): AsyncIterable<IdChunk>;
  /** Raw item → canonical record, or the reason it cannot be mapped. */
  map(entity: SyncEntityType, raw: unknown): MapResult;
  /** Any thrown value → a typed error with its retry class. */
  classifyError(err: unknown): SyncWorkerError;
}

/** Shared pacing for every request to one store, across jobs and workers. */
export interface RateGate {
  /** Resolves when a request may be sent (waits out a pause set by any worker). */
  waitTurn(signal?: AbortSignal): Promise<void>;
  /** Asks every worker to hold requests to this store for `ms`. */
  pause(ms: number): Promise<void>;
}

export interface AdapterContext {
  connectionId: string;
  baseUrl: string;
  credentials: Record<string, string>;
  settings: Record<string, unknown>;
  /** Defaults to no shared pacing. */
  rateGate?: RateGate;
  /** Pages fetched concurrently (p-limit). @defaultValue 4 */
  pageConcurrency?: number;
  /** Per-request timeout in ms. @defaultValue 30000 */
  httpTimeoutMs?: number;
  /** In-place retries of one request on 429/5xx/network before the error reaches the job. @defaultValue 4 */
  requestRetries?: number;
  /** First in-place retry delay in ms (doubles, with jitter). @defaultValue 500 */
  retryBaseMs?: number;
  /** A Retry-After up to this many ms is waited out in place; a longer one goes to the job, which is delayed by it. @defaultValue 60000 */
  maxInPlaceRetryAfterMs?: number;
  logger?: import('../logger.js').Logger;
}

export type AdapterFactory = (context: AdapterContext) => SourceAdapter;
