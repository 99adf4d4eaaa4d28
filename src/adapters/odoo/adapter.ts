import { classify, sourceError, type SyncWorkerError } from '../../errors.js';
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
import { odooId, odooSecond, parseOdooCheckpoint, type KeysetPosition } from './checkpoint.js';
import { OdooClient } from './client.js';
import { ODOO_ENTITIES, odooRouteOf, type OdooDomain, type OdooModelRoute } from './entities.js';
import { walkByKeyset } from './keyset-walk.js';
import { mapOdooRecord } from './mapper.js';
import { parseOdooSettings, type OdooSettings } from './settings.js';

/** Records per `search_read`: Odoo has no hard cap; 500 partners are ~0.5 MB of JSON. */
export const ODOO_MAX_PAGE_SIZE = 500;
/** Child records per `read` (order lines, attribute values). */
const CHILD_READ_CHUNK = 1000;

/**
 * Odoo (JSON-RPC or JSON-2) as a SourceAdapter. Every entity walks by keyset
 * on (`write_date`, `id`) (keyset-walk.ts), full or incremental (from the
 * cursor minus `incrementalOverlapSeconds`); totals come from `search_count`;
 * deletions from an id scan with `search`. Every call passes
 * `active_test: false`: archived records are synced as updates, never
 * reported deleted. Fields the database lacks (other Odoo versions) are left
 * out after one `fields_get` per model.
 */
export class OdooAdapter implements SourceAdapter {
  readonly type = 'odoo' as const;
  readonly maxPageSize = ODOO_MAX_PAGE_SIZE;
  readonly entities: readonly SyncEntityType[] = ODOO_ENTITIES;
  private readonly client: OdooClient;
  private readonly settings: OdooSettings;
  private readonly fieldSets = new Map<string, Promise<Set<string>>>();

  constructor(context: AdapterContext) {
    this.client = new OdooClient(context);
    this.settings = parseOdooSettings(context.settings);
  }

  /** Logs in (JSON-RPC) or checks the API key (JSON-2): a wrong password fails here, once. */
  async open(signal?: AbortSignal): Promise<void> {
    await this.client.open(signal);
  }

  async close(): Promise<void> {}

  supportsIncremental(entity: SyncEntityType): boolean {
    return ODOO_ENTITIES.includes(entity);
  }

  compareIds(a: string, b: string): number {
    return compareNumericIds(a, b);
  }

  async count(request: CountRequest): Promise<number> {
    const route = odooRouteOf(request.entity);
    const from = this.incrementalFrom(request.mode, request.since);
    const domain = [...route.domain, ...(from ? [['write_date', '>=', from]] : [])];
    const total = await this.client.call(route.model, 'search_count', { domain }, request.signal);
    if (typeof total !== 'number') throw badAnswer(route.model, 'search_count', 'a number');
    return total;
  }

  async *pages(request: PageRequest): AsyncGenerator<Page> {
    const route = odooRouteOf(request.entity);
    const checkpoint = parseOdooCheckpoint(request.checkpoint);
    if (checkpoint && checkpoint.walk !== 'keyset') {
      throw sourceError({
        kind: 'incompatible',
        message: `Odoo: a ${checkpoint.walk} checkpoint cannot resume a page walk`,
      });
    }
    const start: KeysetPosition = checkpoint
      ? { from: checkpoint.from, ...(checkpoint.tie ? { tie: checkpoint.tie } : {}) }
      : { from: this.incrementalFrom(request.mode, request.since) };
    const fields = await this.fieldsOf(route.model, route.fields, request.signal);
    const walk = walkByKeyset({
      fetch: (terms, order, limit, signal) =>
        this.searchRead(route, [...route.domain, ...terms], fields, order, limit, signal),
      model: route.model,
      pageSize: Math.min(Math.max(1, request.pageSize), ODOO_MAX_PAGE_SIZE),
      start,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    for await (const page of walk) {
      const items = route.children ? await this.embedChildren(route, page.items, request.signal) : page.items;
      yield {
        items,
        checkpoint: { v: 1, walk: 'keyset', ...page.position },
        done: page.done,
        // A keyset walk holds its continuity by construction: a full walk misses no record.
        ...(page.done && request.mode === 'full' ? { complete: true } : {}),
      };
    }
  }

  async *scanIds(
    entity: SyncEntityType,
    signal?: AbortSignal,
    from?: PageCheckpoint | null,
  ): AsyncGenerator<IdChunk> {
    const route = odooRouteOf(entity);
    const resume = parseOdooCheckpoint(from);
    let lastId = resume?.walk === 'ids' ? resume.lastId : 0;
    for (;;) {
      const domain = [...route.domain, ['id', '>', lastId]];
      const ids = await this.client.call(
        route.model,
        'search',
        { domain, order: 'id asc', limit: this.settings.idScanChunk },
        signal,
      );
      if (!Array.isArray(ids)) throw badAnswer(route.model, 'search', 'a list of ids');
      const list = ids.map((id) => odooId({ id }, route.model));
      if (list.length > 0) {
        lastId = list.at(-1)!;
        yield { ids: list.map(String), checkpoint: { v: 1, walk: 'ids', lastId } };
      }
      if (list.length < this.settings.idScanChunk) return;
    }
  }

  map(entity: SyncEntityType, raw: unknown): MapResult {
    return mapOdooRecord(entity, raw);
  }

  classifyError(err: unknown): SyncWorkerError {
    return classify(err, { where: 'Odoo', redact: (text) => redactText(text, this.client.secrets) });
  }

  /** The `write_date` second an incremental run starts from (cursor minus the overlap), or null. */
  private incrementalFrom(mode: 'full' | 'incremental', since: IncrementalCursor | null): string | null {
    if (mode !== 'incremental' || !since) return null;
    return odooSecond(since.updatedAt, -this.settings.incrementalOverlapSeconds);
  }

  private async searchRead(
    route: OdooModelRoute,
    domain: OdooDomain,
    fields: string[],
    order: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const rows = await this.client.call(route.model, 'search_read', { domain, fields, order, limit }, signal);
    if (!Array.isArray(rows)) throw badAnswer(route.model, 'search_read', 'a list of records');
    return rows;
  }

  /** Reads the children of a page's records in a few `read` calls and embeds them in order. */
  private async embedChildren(
    route: OdooModelRoute,
    items: unknown[],
    signal?: AbortSignal,
  ): Promise<unknown[]> {
    const children = route.children!;
    const fields = await this.fieldsOf(children.model, children.fields, signal);
    const wanted = items.flatMap((item) => idsIn((item as Record<string, unknown>)[children.field]));
    const byId = new Map<number, unknown>();
    for (let i = 0; i < wanted.length; i += CHILD_READ_CHUNK) {
      const ids = wanted.slice(i, i + CHILD_READ_CHUNK);
      const rows = await this.client.call(children.model, 'read', { ids, fields }, signal);
      if (!Array.isArray(rows)) throw badAnswer(children.model, 'read', 'a list of records');
      for (const row of rows) byId.set(odooId(row, children.model), row);
    }
    // A child unlinked between the two calls is simply absent (Odoo's read skips vanished records).
    return items.map((item) => {
      const record = item as Record<string, unknown>;
      const embedded = idsIn(record[children.field]).flatMap((id) => (byId.has(id) ? [byId.get(id)] : []));
      return { ...record, [children.embedAs]: embedded };
    });
  }

  /** `wanted` ∩ the model's fields (one `fields_get` per model); `write_date` must be there. */
  private async fieldsOf(model: string, wanted: readonly string[], signal?: AbortSignal): Promise<string[]> {
    let known = this.fieldSets.get(model);
    if (!known) {
      known = this.client
        .call(model, 'fields_get', { attributes: ['type'] }, signal)
        .then((answer) => new Set(Object.keys((answer ?? {}) as Record<string, unknown>)));
      known.catch(() => this.fieldSets.delete(model));
      this.fieldSets.set(model, known);
    }
    const available = await known;
    if (!available.has('write_date')) {
      throw sourceError({ kind: 'incompatible', message: `Odoo ${model}: fields_get lists no write_date` });
    }
    return wanted.filter((name) => available.has(name));
  }
}

function idsIn(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

function badAnswer(model: string, method: string, expected: string): SyncWorkerError {
  return sourceError({ kind: 'bad_response', message: `Odoo ${model}.${method}: expected ${expected}` });
}
