import { WooCommerceAdapter } from '../../src/adapters/woocommerce/adapter.js';
import type {
  AdapterContext,
  IdChunk,
  Page,
  PageRequest,
  RateBudget,
  SyncEntityType,
} from '../../src/adapters/types.js';
import { afterEach } from 'vitest';
import { loopbackEgress } from '../helpers/egress.js';
import {
  startFakeWooCommerce,
  type FakeWooOptions,
  type FakeWooServer,
} from '../fakes/woocommerce/server.js';

/** An in-memory RateBudget without pacing that records every pause (the real one lives in Redis). */
export class MemoryRateBudget implements RateBudget {
  readonly pauses: number[] = [];
  private until = 0;

  async take(_units: number, signal?: AbortSignal): Promise<void> {
    const wait = this.until - Date.now();
    if (wait <= 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, wait);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  }

  async pause(ms: number): Promise<void> {
    this.pauses.push(ms);
    this.until = Math.max(this.until, Date.now() + ms);
  }
}

/** An adapter bound to the fake, fast retries by default. */
export function wooAdapter(
  fake: FakeWooServer,
  options: { settings?: Record<string, unknown> } & Partial<Omit<AdapterContext, 'settings'>> = {},
): WooCommerceAdapter {
  const { settings, ...rest } = options;
  return new WooCommerceAdapter({
    connectionId: 'test-connection',
    ...fake.connection(settings),
    retryBaseMs: 1,
    requestRetries: 8,
    dispatcher: loopbackEgress.dispatcher,
    ...rest,
  });
}

export function pageRequest(entity: SyncEntityType, overrides: Partial<PageRequest> = {}): PageRequest {
  return { entity, mode: 'full', since: null, checkpoint: null, pageSize: 100, ...overrides };
}

/** Every page of a walk, plus the raw items' ids in emission order. */
export async function collect(
  pages: AsyncIterable<Page>,
): Promise<{ pages: Page[]; ids: number[]; items: unknown[] }> {
  const all: Page[] = [];
  for await (const page of pages) all.push(page);
  const items = all.flatMap((p) => p.items);
  return { pages: all, items, ids: items.map((i) => (i as { id: number }).id) };
}

export async function collectIds(chunks: AsyncIterable<IdChunk>): Promise<string[]> {
  const ids: string[] = [];
  for await (const chunk of chunks) ids.push(...chunk.ids);
  return ids;
}

export function duplicates(values: readonly (string | number)[]): (string | number)[] {
  const seen = new Set<string | number>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

/** Catches the rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

/**
 * A fake store per test, closed after each: `const start = useFakeStore();`
 * at file level, then `const server = await start({ customers: 10 });`.
 */
export function useFakeStore(
  defaults: FakeWooOptions = {},
): (options: FakeWooOptions) => Promise<FakeWooServer> {
  let fake: FakeWooServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return async (options) => {
    fake = await startFakeWooCommerce({ ...defaults, ...options });
    return fake;
  };
}
