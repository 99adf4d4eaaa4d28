import type { Dispatcher } from 'undici';
import type { SyncWorkerError } from '../errors.js';
import type { SyncEntityType, SyncType } from '../generated/prisma/enums.js';
import type { Logger } from '../logger.js';

export type { SyncEntityType, SyncType };

/**
 * The seam between the sync engine and one source system. A source is one
 * folder under `src/adapters/<source>/` whose `definition.ts` exports a
 * `SourceDefinition` (source-definition.ts); its `create` builds a
 * `SourceAdapter` bound to one connection from an `AdapterContext`.
 *
 * The engine's order of calls, for one sync job:
 * `create` → `open?` → `count` → `pages` (→ `map` per item) → `scanIds` (full
 * runs) → `close?` (always, also after a failure, a cancel or a shutdown).
 */

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
  /** External id of that record (ties are broken by `SourceAdapter.compareIds`). */
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
  /** Aborted when the job must stop (cancel, timeout, shutdown): in-flight requests stop at once. */
  signal?: AbortSignal;
}

export interface Page {
  /** Raw items of the page, in the adapter's stable order (already deduplicated against the checkpoint). */
  items: unknown[];
  /** The checkpoint that resumes right after this page. */
  checkpoint: PageCheckpoint;
  /** True on the last page. */
  done: boolean;
  /**
   * Set on the last page of a full walk: true when the adapter's continuity
   * checks held for the whole walk (from no checkpoint to the end), so every
   * record that existed throughout the run was yielded and nothing deleted
   * behind the cursor shifted the walk. Keyset walks on (updated, id) always
   * hold; WooCommerce's offset windows hold when no overlap check failed.
   * The engine then uses the walk's own ids for the deletion diff instead
   * of a second id pass (src/sync/walk-ids.ts). `false` may come early, on
   * any page, as soon as a check failed: the engine then starts the id scan
   * alongside the rest of the walk. Left undefined when the adapter cannot
   * tell (a resumed walk, an incremental one); the engine trusts it only for
   * a walk it saw from the first page.
   */
  complete?: boolean;
}

export interface CountRequest {
  entity: SyncEntityType;
  mode: 'full' | 'incremental';
  since: IncrementalCursor | null;
  signal?: AbortSignal;
}

/**
 * One source system. An adapter instance is bound to one connection
 * (base URL + decrypted credentials + settings) by its definition's `create`.
 */
export interface SourceAdapter {
  readonly type: SyncType;
  /** Most records one page request may return (WooCommerce: 100). Batches larger than this span several pages. */
  readonly maxPageSize: number;
  /** Entity types this source has; others fail with ENTITY_NOT_SUPPORTED. */
  readonly entities: readonly SyncEntityType[];
  /**
   * Optional set-up before the first request (Odoo authenticates and keeps
   * its uid). Throws typed errors: a refused login is a fatal
   * SOURCE_AUTH_FAILED, a network fault a retryable one.
   */
  open?(signal?: AbortSignal): Promise<void>;
  /**
   * Optional tear-down, always called once after `open` was attempted — also
   * after a failure, a cancel or a shutdown (Shopify cancels its running bulk
   * operation). It must not throw for a connection that is already gone; the
   * engine logs what it throws and goes on.
   */
  close?(): Promise<void>;
  /** True when the source filters by modification time server-side for this entity. */
  supportsIncremental(entity: SyncEntityType): boolean;
  /** Items the run will examine (for incremental: those changed since the cursor). */
  count(request: CountRequest): Promise<number>;
  /** Pages in a stable order from the checkpoint; concurrency bounded inside (p-limit). */
  pages(request: PageRequest): AsyncIterable<Page>;
  /**
   * Every external id currently in the source (deletion scan), in chunks,
   * each with the checkpoint that resumes the scan right after it (`from`).
   * Stops at once when `signal` aborts.
   */
  scanIds(entity: SyncEntityType, signal?: AbortSignal, from?: PageCheckpoint | null): AsyncIterable<IdChunk>;
  /** Raw item → canonical record, or the reason it cannot be mapped. */
  map(entity: SyncEntityType, raw: unknown): MapResult;
  /**
   * The order of two external ids of this source (negative, 0, positive),
   * used to break ties on `updatedAt` in the incremental cursor and to sort
   * ids in messages. WooCommerce and Odoo compare integers; Shopify compares
   * the numeric tail of `gid://shopify/Customer/123` (a string compare puts
   * `…/99` after `…/100`). `compareNumericIds` (compare-ids.ts) serves all three.
   */
  compareIds(a: string, b: string): number;
  /**
   * Any thrown value → a typed error with its retry class. Delegates to the
   * one classifier, `classify` in `src/errors.ts`, adding only the source's
   * wording and redaction: adapters never decide a retry class of their own.
   */
  classifyError(err: unknown): SyncWorkerError;
}

/**
 * The one rate budget of a source store, shared by every job and worker
 * process that talks to it (src/sync/rate-budget/). Units are requests
 * (WooCommerce, Odoo) or cost points (Shopify), as the source's definition
 * says (`SourceDefinition.rateBudget`).
 */
export interface RateBudget {
  /**
   * Waits until `units` (1 request, or a query's requested cost) may be
   * spent, then spends them. Also waits out a pause (`pause`) set by any
   * worker. Rejects with the signal's reason when it aborts.
   */
  take(units: number, signal?: AbortSignal): Promise<void>;
  /**
   * Cost budgets only: after a response (or a failure, with `{}`), hands the
   * shop's own figures back. Refunds `reserved − actual` and trusts the shop's
   * `available` (minus what other requests still hold); `capacity` and
   * `restorePerSecond` replace the bucket's shape when given. Call it exactly
   * once per `take`, whatever the outcome.
   */
  settle?(reserved: number, observed: RateObservation): Promise<void>;
  /** Asks every worker to hold requests to this store for `ms` (Retry-After). */
  pause(ms: number): Promise<void>;
}

/** What a cost-based source reports about its bucket after a request (Shopify `extensions.cost`). */
export interface RateObservation {
  /** Points the request really cost (`actualQueryCost`). */
  actual?: number;
  /** Points left in the shop's bucket now (`throttleStatus.currentlyAvailable`). */
  available?: number;
  /** Size of the bucket (`throttleStatus.maximumAvailable`). */
  capacity?: number;
  /** Points restored per second (`throttleStatus.restoreRate`). */
  restorePerSecond?: number;
}

/** What a long server-side step reports through `AdapterContext.heartbeat`. */
export interface HeartbeatDetail {
  /** Short machine-readable phase, e.g. `bulk-export`, `authenticate`. */
  phase: string;
  /** A human line for logs and `status`, e.g. `bulk operation RUNNING, 120,000 objects`. */
  message?: string;
}

/** Everything an adapter gets from the engine for one connection and one job. */
export interface AdapterContext {
  connectionId: string;
  /** The connection's base URL (normalised: no trailing slash). */
  baseUrl: string;
  /** Decrypted credentials, validated by the definition's `credentials` schema. */
  credentials: Record<string, string>;
  /** Settings, parsed by the definition's `settings` schema (its defaults applied). */
  settings: Record<string, unknown>;
  /**
   * Aborted on cancel (from any process), the stall sweeper's timeout or a
   * worker shutdown of this sync: every in-flight request, the page prefetch
   * and the id scan must stop at once (pass it to `fetch`, `sleep`, p-limit
   * tasks). The same signal is handed to `count`, `pages` and `scanIds`.
   */
  signal?: AbortSignal;
  /**
   * Long server-side steps (a Shopify bulk export, a slow Odoo search) call
   * this at least every few seconds while they wait: the engine keeps the
   * sync visibly alive (`sync_progress.updated_at`, which the stall sweeper
   * reads; calls are throttled, so calling often is cheap) and BullMQ's job
   * lock renewed. Never throws. Absent outside a sync job (preview, tests).
   */
  heartbeat?: (detail: HeartbeatDetail) => Promise<void>;
  /** The store's shared budget. Absent: no pacing (unit tests). */
  rateBudget?: RateBudget;
  /**
   * The dispatcher every request to the source must use (`SourceHttpClient`'s
   * `dispatcher`): it enforces the egress policy at connect time. Absent: the
   * policy with nothing allowed (no internal address is reachable).
   */
  dispatcher?: Dispatcher;
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
  logger?: Logger;
}
