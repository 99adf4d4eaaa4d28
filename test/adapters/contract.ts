import { afterEach, describe, expect, test } from 'vitest';
import { builtInSources } from '../../src/adapters/registry.js';
import type {
  AdapterContext,
  IncrementalCursor,
  Page,
  PageCheckpoint,
  SourceAdapter,
} from '../../src/adapters/types.js';
import { parseStoredConnection } from '../../src/connections/connection-schema.js';
import { ErrorCodes } from '../../src/errors.js';
import { mapPage } from '../../src/sync/map-page.js';
import type { FakeEntity, FakeStoreControl, FakeStoreFactory, FakeStoreInit } from '../fakes/fake-store.js';
import { loopbackEgress } from '../helpers/egress.js';
import { MemoryRateBudget, rejection } from './woo-helpers.js';

/**
 * The adapter contract, written once and run against every source's fake
 * (test/fakes/stores.ts): counting, paging a set that changes under the
 * walk, resuming from every checkpoint, the id scan and its resume,
 * incremental runs, the id order, cancellation, and the error classes
 * (401 fatal, 5xx retryable, 429 rate-limited with its wait, an unreadable
 * body retryable).
 */
export function adapterContract(factory: FakeStoreFactory): void {
  describe(`${factory.label}: adapter contract`, () => {
    let store: FakeStoreControl | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });
    const start = async (init: FakeStoreInit) => (store = await factory.start(init));

    for (const entity of ['customer', 'product'] as const) {
      test(`${entity}: count and a full walk give every id once; the last page is done and complete`, async () => {
        const fake = await start({ customers: 230, products: 90, seed: 41 });
        const adapter = await open(fake);
        const expected = fake.ids(entity);
        expect(await adapter.count({ entity, mode: 'full', since: null })).toBe(expected.length);
        const walk = await walkAll(adapter, entity, { pageSize: 40 });
        expect(duplicates(walk.ids)).toEqual([]);
        expect([...walk.ids].sort()).toEqual([...expected].sort());
        expect(walk.pages.at(-1)).toMatchObject({ done: true });
        expect(walk.pages.slice(0, -1).every((p) => !p.done)).toBe(true);
        expect(walk.pages.at(-1)!.complete).not.toBe(false);
        await adapter.close?.();
      });
    }

    test('paging while records change: every record present throughout is met, nothing unknown is', async () => {
      const fake = await start({ customers: 400, seed: 42 });
      const adapter = await open(fake);
      const before = fake.ids('customer');
      const changed: { added: string[]; removed: string[]; modified: string[] } = {
        added: [],
        removed: [],
        modified: [],
      };
      let requests = 0;
      fake.onRequest(() => {
        if (++requests !== 3) return;
        changed.removed.push(...fake.remove('customer', 20, 10), ...fake.remove('customer', 10, 300));
        changed.modified.push(...fake.modify('customer', 15, 150));
        changed.added.push(...fake.add('customer', 12));
      });
      const walk = await walkAll(adapter, 'customer', { pageSize: 50 });
      const throughout = before.filter((id) => !changed.removed.includes(id));
      expect(throughout.filter((id) => !walk.ids.includes(id))).toEqual([]);
      const known = new Set([...before, ...changed.added]);
      expect(walk.ids.filter((id) => !known.has(id))).toEqual([]);
      // Records added before the walk reached the end of the set are met too.
      expect(changed.added.filter((id) => !walk.ids.includes(id))).toEqual([]);
    });

    test('resuming from every checkpoint gives exactly the rest of the walk', async () => {
      const fake = await start({ customers: 260, seed: 43 });
      const adapter = await open(fake);
      const walk = await walkAll(adapter, 'customer', { pageSize: 40 });
      expect(walk.pages.length).toBeGreaterThan(4);
      let done = 0;
      for (const page of walk.pages.slice(0, -1)) {
        done += page.items.length;
        const checkpoint = JSON.parse(JSON.stringify(page.checkpoint)) as PageCheckpoint;
        const rest = await walkAll(await open(fake), 'customer', { pageSize: 40, checkpoint });
        expect(rest.ids).toEqual(walk.ids.slice(done));
      }
    });

    test('the id scan lists every live id; it resumes after any chunk', async () => {
      const fake = await start({ customers: 450, seed: 44 });
      const adapter = await open(fake);
      const chunks = [];
      for await (const chunk of adapter.scanIds('customer')) chunks.push(chunk);
      const all = chunks.flatMap((c) => c.ids);
      expect([...all].sort()).toEqual([...fake.ids('customer')].sort());
      expect(chunks.length).toBeGreaterThan(1); // Shopify scans 250 ids a request, WooCommerce 95
      let done = 0;
      for (const chunk of chunks.slice(0, -1)) {
        done += chunk.ids.length;
        const rest: string[] = [];
        for await (const c of adapter.scanIds('customer', undefined, chunk.checkpoint)) rest.push(...c.ids);
        expect(rest).toEqual(all.slice(done));
      }
    });

    for (const entity of ['customer', 'product'] as const) {
      test(`${entity}: an incremental walk from the last cursor meets every change since`, async () => {
        const fake = await start({ customers: 150, products: 80, seed: 45 });
        const adapter = await open(fake);
        const full = await walkAll(adapter, entity, { pageSize: 50 });
        const since = full.maxSeen!;
        expect(since).not.toBeNull();
        const changed = [...fake.modify(entity, 6, 20), ...fake.add(entity, 4)];
        const inc = await walkAll(adapter, entity, { pageSize: 50, mode: 'incremental', since });
        expect(changed.filter((id) => !inc.ids.includes(id))).toEqual([]);
        const total = fake.ids(entity).length;
        if (adapter.supportsIncremental(entity)) expect(inc.ids.length).toBeLessThan(total);
        expect(await adapter.count({ entity, mode: 'incremental', since })).toBeGreaterThanOrEqual(
          adapter.supportsIncremental(entity) ? changed.length : total,
        );
      });
    }

    test('compareIds is a total order on the store ids, numeric where ids are', async () => {
      const fake = await start({ customers: 120, seed: 46 });
      const adapter = await open(fake);
      const ids = fake.ids('customer');
      for (const id of ids) expect(adapter.compareIds(id, id)).toBe(0);
      const sorted = [...ids].sort((a, b) => adapter.compareIds(a, b));
      for (let i = 1; i < sorted.length; i++) {
        expect(adapter.compareIds(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
        expect(adapter.compareIds(sorted[i]!, sorted[i - 1]!)).toBeGreaterThan(0);
      }
    });

    test('an abort stops the walk with its reason; classifyError of an abort is SYNC_CANCELLED', async () => {
      const fake = await start({ customers: 500, seed: 47 });
      fake.latency(20);
      const controller = new AbortController();
      const adapter = await open(fake, { signal: controller.signal });
      const reason = new Error('stop now');
      let pages = 0;
      const err = await rejection(
        (async () => {
          for await (const _ of adapter.pages(pageRequest('customer', { signal: controller.signal }))) {
            if (++pages === 2) controller.abort(reason);
          }
        })(),
      );
      expect(err).toBe(reason);
      expect(adapter.classifyError(new DOMException('aborted', 'AbortError'))).toMatchObject({
        code: ErrorCodes.SYNC_CANCELLED,
      });
      expect(adapter.classifyError(new Error('something odd'))).toMatchObject({
        code: ErrorCodes.INTERNAL,
        retry: 'retryable',
      });
    });

    describe('error classes', () => {
      test('wrong credentials: SOURCE_AUTH_FAILED, fatal, refused once', async () => {
        const fake = await start({ customers: 10 });
        const err = await rejection(
          (async () => {
            const adapter = await open(fake, { credentials: fake.badCredentials });
            await adapter.count({ entity: 'customer', mode: 'full', since: null });
          })(),
        );
        expect(err).toMatchObject({ code: ErrorCodes.SOURCE_AUTH_FAILED, retry: 'fatal' });
        for (const secret of Object.values(fake.badCredentials)) expect(err.message).not.toContain(secret);
        expect(fake.trouble().authRefused).toBe(1);
      });

      test('5xx: retried in place, then SOURCE_UNAVAILABLE retryable', async () => {
        const fake = await start({ customers: 10 });
        const adapter = await open(fake, { requestRetries: 2 });
        fake.failNext('unavailable', 3);
        const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
        expect(err).toMatchObject({ code: ErrorCodes.SOURCE_UNAVAILABLE, retry: 'retryable' });
        fake.failNext('unavailable', 2);
        expect(await adapter.count({ entity: 'customer', mode: 'full', since: null })).toBe(10);
      });

      test('a rate limit waits the source out in place; a long one goes to the job, the budget paused', async () => {
        const fake = await start({ customers: 10 });
        const budget = new MemoryRateBudget();
        const adapter = await open(fake, { rateBudget: budget });
        fake.failNext('rate_limited', 1, 1);
        expect(await adapter.count({ entity: 'customer', mode: 'full', since: null })).toBe(10);
        expect(budget.pauses).toEqual([1000]);
        fake.failNext('rate_limited', 1, 3600);
        const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
        expect(err).toMatchObject({
          code: ErrorCodes.SOURCE_RATE_LIMITED,
          retry: 'rate_limited',
          retryAfterMs: 3_600_000,
        });
        expect(budget.pauses).toEqual([1000, 3_600_000]);
      });

      test('an unreadable body: SOURCE_BAD_RESPONSE, retryable', async () => {
        const fake = await start({ customers: 10 });
        const adapter = await open(fake, { requestRetries: 1 });
        fake.failNext('bad_body', 2);
        const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
        expect(err).toMatchObject({ code: ErrorCodes.SOURCE_BAD_RESPONSE, retry: 'retryable' });
      });
    });
  });
}

/** The source's adapter for a fake, built and opened as a job does (fast in-place retries). */
export async function open(
  fake: FakeStoreControl,
  overrides: Partial<AdapterContext> = {},
): Promise<SourceAdapter> {
  const definition = builtInSources.get(fake.source);
  const { credentials, settings } = parseStoredConnection(definition, {
    credentials: overrides.credentials ?? fake.credentials,
    settings: fake.settings,
  });
  const adapter = await definition.create({
    connectionId: 'contract',
    baseUrl: fake.url,
    retryBaseMs: 1,
    requestRetries: 8,
    dispatcher: loopbackEgress.dispatcher,
    ...overrides,
    credentials,
    settings,
  });
  await adapter.open?.(overrides.signal);
  return adapter;
}

export function pageRequest(
  entity: FakeEntity,
  overrides: Partial<Parameters<SourceAdapter['pages']>[0]> = {},
): Parameters<SourceAdapter['pages']>[0] {
  return { entity, mode: 'full', since: null, checkpoint: null, pageSize: 50, ...overrides };
}

/** Every page of a walk, the external ids met (mapped as the engine maps them) and the engine's cursor. */
async function walkAll(
  adapter: SourceAdapter,
  entity: FakeEntity,
  overrides: Partial<Parameters<SourceAdapter['pages']>[0]>,
): Promise<{ pages: Page[]; ids: string[]; maxSeen: IncrementalCursor | null }> {
  const pages: Page[] = [];
  const ids: string[] = [];
  let maxSeen: IncrementalCursor | null = null;
  for await (const page of adapter.pages(pageRequest(entity, overrides))) {
    pages.push(page);
    const mapped = mapPage(adapter, entity, page.items, maxSeen);
    maxSeen = mapped.maxSeen;
    ids.push(...mapped.records.map((r) => r.externalId), ...mapped.failures.map((f) => f.externalId));
  }
  return { pages, ids, maxSeen };
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}
