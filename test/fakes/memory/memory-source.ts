import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { compareNumericIds } from '../../../src/adapters/compare-ids.js';
import { builtInSources } from '../../../src/adapters/registry.js';
import { defineSource } from '../../../src/adapters/source-definition.js';
import { SourceRegistry } from '../../../src/adapters/source-registry.js';
import type {
  AdapterContext,
  CountRequest,
  IdChunk,
  MapResult,
  Page,
  PageCheckpoint,
  PageRequest,
  SourceAdapter,
  SyncEntityType,
} from '../../../src/adapters/types.js';
import { classify, type SyncWorkerError } from '../../../src/errors.js';
import { sleep } from '../../../src/sleep.js';

/**
 * A fourth source for tests, defined the way the README says a source is
 * added (one definition, one registry line; type `custom`): an in-memory
 * store of customers with Shopify-like ids (`gid://shopify/Customer/123`),
 * walked by keyset on (updatedAt, id) in the adapter's own id order. Hooks
 * let a test stretch a server-side step (with or without heartbeats) and see
 * whether the engine aborted it and closed the adapter.
 */
export interface MemoryRecord {
  id: string;
  updatedAt: string;
  name: string;
}

export interface MemoryStore {
  /** The connection's base URL that names this store (never fetched). */
  baseUrl: string;
  records: Map<string, MemoryRecord>;
  /** Before the first page: a server-side step of this long, with heartbeats every `heartbeatEveryMs` (none: null). */
  slowStep?: { ms: number; heartbeatEveryMs: number | null };
  /** What the adapter saw. */
  events: { opened: number; closed: number; stepAborted: boolean; heartbeats: number };
}

const stores = new Map<string, MemoryStore>();

export function createMemoryStore(records: MemoryRecord[] = []): MemoryStore {
  const id = randomUUID();
  const store: MemoryStore = {
    baseUrl: `http://127.0.0.1/memory/${id}`,
    records: new Map(records.map((r) => [r.id, r])),
    events: { opened: 0, closed: 0, stepAborted: false, heartbeats: 0 },
  };
  stores.set(id, store);
  return store;
}

const gid = (n: number) => `gid://shopify/Customer/${n}`;

/** `count` customers `gid://shopify/Customer/<first…>`, all updated at `updatedAt`. */
export function memoryCustomers(first: number, count: number, updatedAt: string): MemoryRecord[] {
  return Array.from({ length: count }, (_, i) => ({ id: gid(first + i), updatedAt, name: `c${first + i}` }));
}

const checkpointSchema = z.object({ updatedAt: z.string(), id: z.string() }).nullable();

class MemoryAdapter implements SourceAdapter {
  readonly type = 'custom' as const;
  readonly maxPageSize = 50;
  readonly entities: readonly SyncEntityType[] = ['customer'];

  constructor(
    private readonly store: MemoryStore,
    private readonly context: AdapterContext,
  ) {}

  async open(): Promise<void> {
    this.store.events.opened++;
  }

  async close(): Promise<void> {
    this.store.events.closed++;
  }

  supportsIncremental(): boolean {
    return true;
  }

  compareIds(a: string, b: string): number {
    return compareNumericIds(a, b);
  }

  async count(request: CountRequest): Promise<number> {
    return this.sorted(request.mode === 'incremental' ? request.since : null).length;
  }

  async *pages(request: PageRequest): AsyncGenerator<Page> {
    const signal = request.signal ?? this.context.signal;
    if (this.store.slowStep && request.checkpoint === null) await this.slowStep(this.store.slowStep, signal);
    let after = checkpointSchema.parse(request.checkpoint?.after ?? null);
    const since = request.mode === 'incremental' ? request.since : null;
    for (;;) {
      signal?.throwIfAborted();
      const rest = this.sorted(after ?? since);
      const items = rest.slice(0, Math.min(request.pageSize, this.maxPageSize));
      const last = items.at(-1);
      if (last) after = { updatedAt: last.updatedAt, id: last.id };
      const done = items.length === rest.length;
      yield {
        items,
        checkpoint: { after },
        done,
        ...(done && !request.checkpoint ? { complete: true } : {}),
      };
      if (done) return;
    }
  }

  async *scanIds(
    _entity: SyncEntityType,
    signal?: AbortSignal,
    from?: PageCheckpoint | null,
  ): AsyncGenerator<IdChunk> {
    signal?.throwIfAborted();
    if (from) return;
    yield { ids: [...this.store.records.keys()], checkpoint: { done: true } };
  }

  map(_entity: SyncEntityType, raw: unknown): MapResult {
    const r = raw as MemoryRecord;
    return {
      ok: true,
      record: { externalId: r.id, sourceUpdatedAt: new Date(r.updatedAt), data: { name: r.name } },
    };
  }

  classifyError(err: unknown): SyncWorkerError {
    return classify(err, { where: 'Memory' });
  }

  /** Records after the (updatedAt, id) keyset position, in (updatedAt, id) order. */
  private sorted(after: { updatedAt: string; id: string } | null): MemoryRecord[] {
    const order = (a: MemoryRecord, b: { updatedAt: string; id: string }) =>
      a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : this.compareIds(a.id, b.id);
    return [...this.store.records.values()]
      .filter((r) => !after || order(r, after) > 0)
      .sort((a, b) => order(a, b));
  }

  private async slowStep(step: { ms: number; heartbeatEveryMs: number | null }, signal?: AbortSignal) {
    const end = Date.now() + step.ms;
    try {
      while (Date.now() < end) {
        if (step.heartbeatEveryMs !== null) {
          this.store.events.heartbeats++;
          await this.context.heartbeat?.({ phase: 'memory-export', message: 'still exporting' });
        }
        await sleep(Math.min(step.heartbeatEveryMs ?? 100, end - Date.now()), signal);
      }
    } catch (err) {
      this.store.events.stepAborted = true;
      throw err;
    }
  }
}

/** The test source's definition: a fourth source is one definition and one registry line. */
export const memorySource = defineSource({
  type: 'custom',
  label: 'Memory',
  queueName: 'sync-memory',
  defaultConcurrency: 2,
  entities: ['customer'],
  credentials: z.object({ token: z.string().min(1) }),
  settings: z.object({}).catchall(z.json()),
  cliFlags: [],
  rateBudget: { unit: 'requests', defaultPerSecond: 1000 },
  create: (context) => {
    const store = stores.get(context.baseUrl.split('/').at(-1)!);
    if (!store) throw new Error(`no memory store at ${context.baseUrl}`);
    return new MemoryAdapter(store, context);
  },
});

/** The built-in sources plus the memory source. */
export const withMemorySource = new SourceRegistry([...builtInSources.definitions, memorySource]);
