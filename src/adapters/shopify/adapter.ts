import { pino } from 'pino';
import { classify, type SyncWorkerError } from '../../errors.js';
import type { Logger } from '../../logger.js';
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
import { BulkRunner } from './bulk-operation.js';
import { bulkQuery } from './bulk-query.js';
import { bulkPages, readJsonLines } from './bulk-reader.js';
import { parseShopifyCheckpoint, type BulkCheckpoint, type KeysetCheckpoint } from './checkpoint.js';
import { ShopifyClient } from './client.js';
import { SHOPIFY_ENTITY_TYPES, shopifyEntity, type ShopifyEntity } from './entities.js';
import { compareGids } from './gid.js';
import { readConnection, walkKeyset } from './keyset-walk.js';
import { mapShopifyNode } from './mapper.js';
import { countQuery, idsQuery, MAX_FIRST, pageQuery, updatedSinceFilter } from './queries.js';
import { firstWithinCost } from './query-cost.js';
import { parseShopifySettings, type ShopifySettings } from './settings.js';

/**
 * Shopify Admin GraphQL as a SourceAdapter.
 *
 * - Full walks page by `sortKey: ID` (complete while records change: see
 *   keyset-walk.ts), or, from `settings.bulkThreshold` records on, read a bulk
 *   export (bulk-operation.ts, bulk-reader.ts), resumable by line.
 * - Incremental walks filter `updated_at:>='<cursor second>'` and sort by
 *   UPDATED_AT: the cursor's own second is read again, so records that tie
 *   with it are never lost (the mirror's content hash counts the ones already
 *   synced as unchanged).
 * - Every request reserves its requested cost in the shop's budget first.
 */
export class ShopifyAdapter implements SourceAdapter {
  readonly type = 'shopify' as const;
  readonly maxPageSize = MAX_FIRST;
  readonly entities: readonly SyncEntityType[] = SHOPIFY_ENTITY_TYPES;
  readonly settings: ShopifySettings;
  readonly client: ShopifyClient;
  private readonly bulk: BulkRunner;
  private readonly logger: Logger;
  /** Totals counted by this adapter (the bulk decision reuses the start's count). */
  private readonly counted = new Map<SyncEntityType, number>();

  constructor(context: AdapterContext) {
    this.settings = parseShopifySettings(context.settings);
    this.logger = (context.logger ?? pino({ level: 'silent' })).child({ adapter: 'shopify' });
    this.client = new ShopifyClient({
      context,
      apiVersion: this.settings.apiVersion,
    });
    this.bulk = new BulkRunner({
      client: this.client,
      pollIntervalMs: this.settings.bulkPollIntervalMs,
      heartbeat: context.heartbeat,
      logger: this.logger,
    });
  }

  supportsIncremental(entity: SyncEntityType): boolean {
    return this.entities.includes(entity);
  }

  async count(request: CountRequest): Promise<number> {
    const spec = shopifyEntity(request.entity);
    const filter = this.filterFor(request.mode, request.since);
    const { data } = await this.client.query(
      `${spec.count}`,
      countQuery(spec),
      { query: filter },
      request.signal,
    );
    const value = (data[spec.count] as { count?: unknown } | null)?.count;
    const total = typeof value === 'number' ? value : 0;
    if (!filter) this.counted.set(request.entity, total);
    return total;
  }

  async *pages(request: PageRequest): AsyncGenerator<Page> {
    const spec = shopifyEntity(request.entity);
    const checkpoint = parseShopifyCheckpoint(request.checkpoint);
    if (checkpoint?.walk === 'bulk') {
      yield* this.bulkWalk(spec, request, checkpoint);
      return;
    }
    if (!checkpoint && request.mode === 'full' && (await this.wantsBulk(request))) {
      const operationId = await this.bulk.start(bulkQuery(spec), request.signal);
      if (operationId) {
        yield* this.bulkWalk(spec, request, { v: 1, walk: 'bulk', operationId, url: null, line: 0 });
        return;
      }
    }
    const start: KeysetCheckpoint =
      checkpoint?.walk === 'keyset'
        ? checkpoint
        : { v: 1, walk: 'keyset', ...this.keysetOrder(spec, request), after: null };
    yield* this.keysetWalk(spec, request, start);
  }

  async *scanIds(
    entity: SyncEntityType,
    signal?: AbortSignal,
    from?: PageCheckpoint | null,
  ): AsyncGenerator<IdChunk> {
    const spec = shopifyEntity(entity);
    const resume = parseShopifyCheckpoint(from);
    const query = idsQuery(spec);
    const first = firstWithinCost(query, this.settings.maxQueryCost, MAX_FIRST);
    let after = resume?.walk === 'ids' ? resume.after : null;
    for (;;) {
      const { data } = await this.client.query(`${spec.root} ids`, query, { first, after }, signal);
      const connection = readConnection(data[spec.root], spec.root);
      after = connection.pageInfo.endCursor ?? after;
      yield { ids: connection.nodes.map((n) => n.id), checkpoint: { v: 1, walk: 'ids', after } };
      if (!connection.pageInfo.hasNextPage) return;
    }
  }

  map(entity: SyncEntityType, raw: unknown): MapResult {
    return mapShopifyNode(entity, raw);
  }

  compareIds(a: string, b: string): number {
    return compareGids(a, b);
  }

  classifyError(err: unknown): SyncWorkerError {
    return classify(err, { where: 'Shopify', redact: (text) => redactText(text, this.client.secrets) });
  }

  /** Cancels a bulk operation this adapter started and did not finish reading. */
  async close(): Promise<void> {
    await this.bulk.cancelRunning();
  }

  /** THROTTLED answers this adapter waited out. */
  get throttledCount(): number {
    return this.client.throttled;
  }

  private async wantsBulk(request: PageRequest): Promise<boolean> {
    const total =
      this.counted.get(request.entity) ??
      (await this.count({ entity: request.entity, mode: 'full', since: null, signal: request.signal }));
    return total >= this.settings.bulkThreshold;
  }

  private keysetOrder(
    spec: ShopifyEntity,
    request: PageRequest,
  ): Pick<KeysetCheckpoint, 'sortKey' | 'filter'> {
    const filter = this.filterFor(request.mode, request.since);
    return { sortKey: filter && spec.sortByUpdated ? 'UPDATED_AT' : 'ID', filter };
  }

  private filterFor(mode: 'full' | 'incremental', since: IncrementalCursor | null): string | null {
    return mode === 'incremental' && since ? updatedSinceFilter(since.updatedAt) : null;
  }

  private async *keysetWalk(
    spec: ShopifyEntity,
    request: PageRequest,
    start: KeysetCheckpoint,
  ): AsyncGenerator<Page> {
    const query = pageQuery(spec, start.sortKey);
    const first = Math.min(
      Math.max(1, request.pageSize),
      firstWithinCost(query, this.settings.maxQueryCost, MAX_FIRST, { query: start.filter }),
    );
    const pages = walkKeyset({
      client: this.client,
      spec,
      sortKey: start.sortKey,
      filter: start.filter,
      after: start.after,
      first,
      maxQueryCost: this.settings.maxQueryCost,
      signal: request.signal,
    });
    for await (const page of pages) {
      yield {
        items: page.nodes,
        checkpoint: { ...start, after: page.after },
        done: page.done,
        // A keyset walk by id (no filter) from the start yields every record that existed throughout it.
        ...(page.done && start.filter === null && !request.checkpoint ? { complete: true } : {}),
      };
    }
  }

  private async *bulkWalk(
    spec: ShopifyEntity,
    request: PageRequest,
    start: BulkCheckpoint,
  ): AsyncGenerator<Page> {
    let url = start.url;
    if (url === null) url = (await this.bulk.waitDone(start.operationId, request.signal)).url ?? null;
    const checkpoint = (line: number): BulkCheckpoint => ({ ...start, url, line });
    if (url === null) {
      // No records: Shopify gives no file.
      yield { items: [], checkpoint: checkpoint(start.line), done: true, complete: !request.checkpoint };
      return;
    }
    let line = start.line;
    for (let refreshed = false; ; refreshed = true) {
      try {
        const pages = bulkPages(readJsonLines(url, request.signal), {
          fromLine: line,
          pageSize: request.pageSize,
          withChildren: spec.nested !== undefined,
        });
        for await (const page of pages) {
          line = page.nextLine;
          yield {
            items: page.nodes,
            checkpoint: checkpoint(line),
            done: page.done,
            // The export is one snapshot: read from its first line, it holds every record of the run.
            ...(page.done && !request.checkpoint ? { complete: true } : {}),
          };
        }
        return;
      } catch (err) {
        const expired = (err as SyncWorkerError).details?.expiredUrl === true;
        if (!expired || refreshed) throw err;
        // A signed URL that expired: the operation gives a fresh one.
        url = (await this.bulk.poll(start.operationId, request.signal)).url ?? null;
        if (url === null) throw err;
      }
    }
  }
}
