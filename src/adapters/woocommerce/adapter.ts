import pLimit, { type LimitFunction } from 'p-limit';
import { pino } from 'pino';
import { classify, ErrorCodes, sourceError, SyncWorkerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { compareNumericIds } from '../compare-ids.js';
import { redactText } from '../http/redact.js';
import type {
  AdapterContext,
  CountRequest,
  IdChunk,
  IncrementalCursor,
  MapResult,
  Page,
  PageCheckpoint,
  PageRequest,
  SourceAdapter,
  SyncEntityType,
} from '../types.js';
import {
  itemId,
  parseCheckpoint,
  wooSecond,
  type ModifiedPosition,
  type WooCheckpoint,
} from './checkpoint.js';
import { WooClient, type WooListResponse, type WooQuery } from './client.js';
import { routeOf, WOO_ENTITIES, WOO_ROUTES, type EntityRoute } from './entities.js';
import { walkById } from './id-walk.js';
import { mapWooItem } from './mapper.js';
import { walkByModified } from './modified-walk.js';
import { embedVariations } from './variations.js';

/** WooCommerce answers 400 above 100 items per page. */
export const WOO_MAX_PER_PAGE = 100;
/** Incremental runs start this many seconds before the cursor (same-second writes). */
export const INCREMENTAL_OVERLAP_SECONDS = 1;

const ID_ORDER = { orderby: 'id', order: 'asc' } as const;

/**
 * WooCommerce REST v3 as a SourceAdapter. Full scans walk by id (offset
 * windows with a continuity check, see id-walk.ts); incremental runs of
 * products, orders and inventory walk by `date_modified_gmt` (see
 * modified-walk.ts); customers, categories and attributes have no server-side
 * modification filter, so the engine fetches them in full and compares hashes.
 */
export class WooCommerceAdapter implements SourceAdapter {
  readonly maxPageSize = WOO_MAX_PER_PAGE;
  readonly type = 'woocommerce' as const;
  readonly entities: readonly SyncEntityType[] = WOO_ENTITIES;
  private readonly client: WooClient;
  private readonly limit: LimitFunction;
  private readonly concurrency: number;
  private readonly logger: Logger;
  /** The job's signal, for calls that do not bring their own. */
  private readonly signal: AbortSignal | undefined;
  /**
   * A full count's answer, which is the first window of the id walk: the walk
   * that starts from the beginning takes it instead of asking again (one
   * round trip less before the first batch, issue 7). Taken at most once.
   */
  private firstWindow: { key: string; answer: Promise<WooListResponse> } | undefined;

  constructor(context: AdapterContext) {
    this.signal = context.signal;
    this.client = new WooClient(context);
    this.concurrency = Math.max(1, Math.floor(context.pageConcurrency ?? 4));
    this.limit = pLimit(this.concurrency);
    this.logger = (context.logger ?? pino({ level: 'silent' })).child({ adapter: 'woocommerce' });
  }

  supportsIncremental(entity: SyncEntityType): boolean {
    return WOO_ROUTES[entity]?.incremental ?? false;
  }

  async count(request: CountRequest): Promise<number> {
    const route = routeOf(request.entity);
    const signal = request.signal ?? this.signal;
    if (!route.paginated) return (await this.client.list(route.path, route.filters, signal)).items.length;
    const since = this.incrementalSince(route, request.mode, request.since);
    let answer: Promise<WooListResponse>;
    if (since) {
      answer = this.client.list(
        route.path,
        { ...route.filters, per_page: 1, modified_after: since, dates_are_gmt: true },
        signal,
      );
    } else {
      // The id walk's first window (at the default page size) answers with the total too.
      const query = firstWindowQuery(route);
      answer = this.client.list(route.path, query, signal);
      this.firstWindow = { key: JSON.stringify([route.path, query]), answer };
      answer.catch(() => undefined); // awaited below; the walk asks again if this failed
    }
    const { total } = await answer;
    if (total === undefined) {
      throw sourceError({
        kind: 'bad_response',
        message: `WooCommerce ${route.path}: the answer has no X-WP-Total header (stripped by a proxy?)`,
      });
    }
    return total;
  }

  async *pages(request: PageRequest): AsyncGenerator<Page> {
    const route = routeOf(request.entity);
    const checkpoint = parseCheckpoint(request.checkpoint);
    const signal = request.signal ?? this.signal;
    for await (const page of this.walk(route, { ...request, signal }, checkpoint)) {
      let items = page.items;
      if (route.embedVariations && items.length > 0) {
        items = await embedVariations(this.client, items, this.limit, signal, this.logger);
      }
      if (items.length === 0 && !page.done) continue; // all vanished mid-run; the next page carries on
      yield { ...page, items };
    }
  }

  async *scanIds(
    entity: SyncEntityType,
    requestSignal?: AbortSignal,
    from?: PageCheckpoint | null,
  ): AsyncGenerator<IdChunk> {
    const route = routeOf(entity);
    const signal = requestSignal ?? this.signal;
    if (!route.paginated) {
      const { items } = await this.client.list(route.path, route.filters, signal);
      yield {
        ids: items.map((item) => String(itemId(item, route.path))),
        checkpoint: { v: 1, walk: 'single' },
      };
      return;
    }
    const resume = parseCheckpoint(from ?? null);
    const start =
      resume?.walk === 'id' ? { offset: resume.offset, lastId: resume.lastId } : { offset: 0, lastId: 0 };
    const pages = walkById({
      fetchWindow: (offset, limit, s) =>
        this.client.list(route.path, { ...windowQuery(route, limit), _fields: 'id', offset }, s),
      route: route.path,
      pageItems: WOO_MAX_PER_PAGE - ID_OVERLAP,
      overlap: ID_OVERLAP,
      prefetch: this.concurrency,
      limit: this.limit,
      start,
      signal,
    });
    for await (const page of pages) {
      if (page.items.length > 0) {
        yield {
          ids: page.items.map((item) => String(itemId(item, route.path))),
          checkpoint: { v: 1, walk: 'id', ...page.position },
        };
      }
    }
  }

  map(entity: SyncEntityType, raw: unknown): MapResult {
    return mapWooItem(entity, raw);
  }

  compareIds(a: string, b: string): number {
    return compareNumericIds(a, b);
  }

  classifyError(err: unknown): SyncWorkerError {
    return classify(err, { where: 'WooCommerce', redact: (text) => redactText(text, this.client.secrets) });
  }

  /** The walk for this request, resuming the checkpoint's own walk when there is one. */
  private async *walk(
    route: EntityRoute,
    request: PageRequest,
    checkpoint: WooCheckpoint | null,
  ): AsyncGenerator<Page> {
    const { signal } = request;
    if (!route.paginated || checkpoint?.walk === 'single') {
      const done = checkpoint?.walk === 'single';
      const items = done ? [] : (await this.client.list(route.path, route.filters, signal)).items;
      yield { items, checkpoint: { v: 1, walk: 'single' }, done: true, ...(done ? {} : { complete: true }) };
      return;
    }
    const { pageItems, overlap } = pageShape(request.pageSize);
    const since = this.incrementalSince(route, request.mode, request.since);
    if (checkpoint?.walk === 'modified' || (!checkpoint && since)) {
      if (!route.incremental) throw mismatchedCheckpoint(route);
      const start: ModifiedPosition =
        checkpoint?.walk === 'modified'
          ? { after: checkpoint.after, ...(checkpoint.tie ? { tie: checkpoint.tie } : {}) }
          : { after: since! };
      const fields = route.fields;
      const pages = walkByModified({
        fetchAfter: (after, limit, s) => this.items(route, incrementalQuery(fields, after, limit), s),
        fetchSecond: (second, offset, limit, s) =>
          this.items(route, { ...secondQuery(fields, second), per_page: limit, offset }, s),
        route: route.path,
        pageItems,
        overlap,
        limit: this.limit,
        start,
        signal,
      });
      for await (const page of pages) {
        yield {
          items: page.items,
          checkpoint: { v: 1, walk: 'modified', ...page.position },
          done: page.done,
        };
      }
      return;
    }
    const pages = walkById({
      fetchWindow: (offset, limit, s) => this.window(route, { ...windowQuery(route, limit), offset }, s),
      route: route.path,
      pageItems,
      overlap,
      prefetch: this.concurrency,
      limit: this.limit,
      start:
        checkpoint?.walk === 'id'
          ? { offset: checkpoint.offset, lastId: checkpoint.lastId }
          : { offset: 0, lastId: 0 },
      signal,
    });
    for await (const page of pages) {
      yield {
        items: page.items,
        checkpoint: { v: 1, walk: 'id', ...page.position },
        done: page.done,
        // Every record that existed throughout was met when no continuity check failed from the
        // start; a failed one is said at once, so the engine can start its id scan alongside.
        ...(checkpoint ? {} : !page.continuous ? { complete: false } : page.done ? { complete: true } : {}),
      };
    }
  }

  private async items(route: EntityRoute, query: WooQuery, signal: AbortSignal): Promise<unknown[]> {
    return (await this.client.list(route.path, { ...route.filters, ...query }, signal)).items;
  }

  /** One id-walk window: the count's answer when it asked the same, else a request. */
  private async window(route: EntityRoute, query: WooQuery, signal: AbortSignal): Promise<WooListResponse> {
    const first = this.firstWindow;
    this.firstWindow = undefined;
    if (first && first.key === JSON.stringify([route.path, query])) {
      try {
        return await first.answer;
      } catch {
        // The count failed and was retried or reported; this window asks on its own.
      }
    }
    return this.client.list(route.path, query, signal);
  }

  /** `modified_after` for an incremental run (cursor minus the overlap), or null for a full walk. */
  private incrementalSince(
    route: EntityRoute,
    mode: 'full' | 'incremental',
    since: IncrementalCursor | null,
  ): string | null {
    if (mode !== 'incremental' || !route.incremental || !since) return null;
    return wooSecond(since.updatedAt, -INCREMENTAL_OVERLAP_SECONDS);
  }
}

/**
 * Records re-read before the position of an id walk: the one at the position
 * (`lastId`) is all the continuity check needs (the window is trusted when it
 * starts at or before `lastId`). A larger overlap only absorbs deletions
 * behind the cursor without a step back, at the price of requests: with 5, a
 * walk of 20,000 customers needed 211 pages instead of 203 (issue 7).
 */
export const ID_OVERLAP = 1;

/**
 * New items per page (the batch size, within per_page ≤ 100 once the overlap
 * is added) and the overlap re-read before the position.
 */
export function pageShape(pageSize: number): { pageItems: number; overlap: number } {
  const size = Math.max(1, Math.floor(pageSize) || 1);
  return { pageItems: Math.min(size, WOO_MAX_PER_PAGE - ID_OVERLAP), overlap: ID_OVERLAP };
}

/** An id-walk window's query, without its offset (filters included). */
function windowQuery(route: EntityRoute, limit: number): WooQuery {
  return { ...route.filters, _fields: route.fields, ...ID_ORDER, per_page: limit };
}

/** The first window of a walk from the beginning at the default page size. */
function firstWindowQuery(route: EntityRoute): WooQuery {
  return { ...windowQuery(route, pageShape(WOO_MAX_PER_PAGE).pageItems), offset: 0 };
}

function incrementalQuery(fields: string | undefined, after: string, limit: number): WooQuery {
  return {
    _fields: fields,
    modified_after: after,
    dates_are_gmt: true, // without it WooCommerce reads the dates in the store's local time zone
    orderby: 'modified',
    order: 'asc',
    per_page: limit,
  };
}

function secondQuery(fields: string | undefined, second: string): WooQuery {
  return {
    _fields: fields,
    modified_after: wooSecond(second, -1),
    modified_before: wooSecond(second, 1),
    dates_are_gmt: true,
    ...ID_ORDER,
  };
}

function mismatchedCheckpoint(route: EntityRoute): SyncWorkerError {
  return new SyncWorkerError(
    ErrorCodes.VALIDATION_FAILED,
    `an incremental checkpoint was given for WooCommerce ${route.path}, which has no modification filter`,
  );
}
