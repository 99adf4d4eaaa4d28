import type { SyncType } from '../../src/adapters/types.js';

/**
 * What every fake store offers the shared suites (test/adapters/contract.ts,
 * test/jobs/sync-suite.ts, test/reliability/worker-crash.test.ts), so that
 * one suite runs against every source: a source adds its factory to
 * test/fakes/stores.ts.
 *
 * The entities are the two every source has. Ids are the source's external
 * ids (strings, as in `sync_record.external_id`).
 */
export type FakeEntity = 'customer' | 'product';

export interface FakeStoreInit {
  /** @defaultValue 25 */
  customers?: number;
  /** @defaultValue 20 */
  products?: number;
  /** Seed of the generated data. @defaultValue 1 */
  seed?: number;
}

/** One request as the suites see it. */
export interface FakeStoreRequest {
  /** 1-based arrival number. */
  n: number;
  /** Arrival time (ms since the epoch). */
  at: number;
  /** Part of a deletion id scan (`scanIds`). */
  idScan: boolean;
}

/** A failure the store answers with, as the source would say it. */
export type FakeFailure =
  /** A 5xx (or the source's equivalent of "try again"). */
  | 'unavailable'
  /** Slow down, with a Retry-After (or the source's wait) of `retryAfterSeconds`. */
  | 'rate_limited'
  /** A 2xx answer whose body the adapter cannot read. */
  | 'bad_body';

export interface FakeStoreControl {
  readonly source: SyncType;
  /** For test names (`WooCommerce`). */
  readonly label: string;
  /** The connection's base URL. */
  readonly url: string;
  /** As `connection add` stores them. */
  readonly credentials: Record<string, string>;
  /** Well-formed credentials the store refuses. */
  readonly badCredentials: Record<string, string>;
  /** The connection's settings for this store (auth mode, …). */
  readonly settings: Record<string, unknown>;
  /** Live ids of `entity`, in the store's order. */
  ids(entity: FakeEntity): string[];
  /** Creates `n` records (after the store's clock moved on); returns their ids. */
  add(entity: FakeEntity, n: number): string[];
  /** Changes the content of `n` records from index `from` (the clock moved on); returns their ids. */
  modify(entity: FakeEntity, n: number, from?: number): string[];
  /** Deletes `n` records for good from index `from`; returns their ids. */
  remove(entity: FakeEntity, n: number, from?: number): string[];
  /** Requests answered or in flight, in arrival order. */
  requests(): FakeStoreRequest[];
  /** The next `count` requests fail this way (a rate limit waits `retryAfterSeconds`, default 1). */
  failNext(failure: FakeFailure, count?: number, retryAfterSeconds?: number): void;
  /** A lasting storm (null: calm): every `rateLimitEvery`-th request rate-limited (`burst` in a row), `failureRate` of the others 5xx. */
  storm(
    storm: {
      rateLimitEvery: number;
      burst?: number;
      retryAfterSeconds?: number;
      failureRate?: number;
    } | null,
  ): void;
  /** What the store refused so far. */
  trouble(): { rateLimited: number; failed: number; authRefused: number };
  /** Delay before every answer, or only the id scan's. */
  latency(ms: number, only?: 'idScan'): void;
  /** Called (and awaited) on every request before it is answered. */
  onRequest(hook: ((request: FakeStoreRequest) => void | Promise<void>) | undefined): void;
  close(): Promise<void>;
}

export interface FakeStoreFactory {
  source: SyncType;
  label: string;
  start(init?: FakeStoreInit): Promise<FakeStoreControl>;
}
