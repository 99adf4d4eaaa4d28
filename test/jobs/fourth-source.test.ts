import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareNumericIds } from '../../src/adapters/compare-ids.js';
import { sweepStalled } from '../../src/jobs/sweep-stalled.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { newerCursor } from '../../src/sync/map-page.js';
import {
  createMemoryStore,
  memoryCustomers,
  withMemorySource,
  type MemoryStore,
} from '../fakes/memory/memory-source.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A source added the documented way (one definition, one registry line,
 * type `custom`), run by the real engine: the adapter owns its id order, the
 * engine calls open/close, and a long server-side step with heartbeats
 * outlives SYNC_STALL_TIMEOUT.
 */
let h: SyncHarness;

beforeAll(async () => {
  h = await createSyncHarness(
    'fourth',
    { SYNC_STALL_TIMEOUT: '2s', SYNC_BATCH_SIZE: '50' },
    { sources: withMemorySource },
  );
  await h.startWorkers();
});

afterAll(async () => h?.close());

const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];

async function connect(store: MemoryStore) {
  return h.addConnection({ type: 'custom', baseUrl: store.baseUrl, credentials: { token: 't' } });
}

describe('the adapter owns the id order', () => {
  test('gid://shopify/Customer/99 sorts before …/100 (a string compare puts it after)', () => {
    const [a, b] = ['gid://shopify/Customer/99', 'gid://shopify/Customer/100'];
    expect(a > b).toBe(true); // the string order the engine used to apply
    expect(compareNumericIds(a, b)).toBeLessThan(0);
    expect(compareNumericIds(b, a)).toBeGreaterThan(0);
    expect(compareNumericIds('99', '100')).toBeLessThan(0);
    expect(compareNumericIds('12345678901234567890', '12345678901234567891')).toBeLessThan(0);
    const at = new Date('2025-06-01T00:00:00Z');
    const cursor = newerCursor(compareNumericIds, null, { externalId: b, sourceUpdatedAt: at, data: {} });
    expect(newerCursor(compareNumericIds, cursor, { externalId: a, sourceUpdatedAt: at, data: {} })).toBe(
      cursor,
    );
  });

  test('a sync of records tied on updatedAt across 99/100 keeps …/100 as the cursor; the next incremental run is exact', async () => {
    const tie = '2025-06-01T10:00:00.000Z';
    const store = createMemoryStore([
      ...memoryCustomers(1, 60, '2025-06-01T09:00:00.000Z'),
      ...memoryCustomers(95, 6, tie), // 95..100 share one updatedAt
    ]);
    const conn = await connect(store);
    const full = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    expect(await h.waitForStatus(full.syncId, TERMINAL)).toBe('completed');
    const state = await h.runtime.prisma.syncState.findFirstOrThrow({ where: { connectionId: conn.id } });
    expect(state.cursor).toEqual({ updatedAt: tie, id: 'gid://shopify/Customer/100' });
    expect(store.events).toMatchObject({ opened: 1, closed: 1 });

    // One more record in the same second, after …/100 in the source's order.
    for (const r of memoryCustomers(101, 1, tie)) store.records.set(r.id, r);
    const inc = await enqueueSync(h.runtime, {
      connectionId: conn.id,
      entityType: 'customer',
      mode: 'incremental',
    });
    expect(await h.waitForStatus(inc.syncId, TERMINAL)).toBe('completed');
    const row = await h.progress(inc.syncId);
    expect(row.processedCount).toBe(1);
    expect((row.metadata as { delta: Record<string, number> }).delta).toMatchObject({
      created: 1,
      updated: 0,
    });
    expect(store.events).toMatchObject({ opened: 2, closed: 2 });
  });
});

describe('heartbeats', () => {
  async function runWithSlowStep(heartbeatEveryMs: number | null) {
    const store = createMemoryStore(memoryCustomers(1, 20, '2025-06-01T09:00:00.000Z'));
    // Three times SYNC_STALL_TIMEOUT (2 s) on the server side before the first page.
    store.slowStep = { ms: 6000, heartbeatEveryMs };
    const conn = await connect(store);
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    const swept: string[] = [];
    // The sweeper, as its scheduler would run it, only much more often.
    const status = await waitFor(
      async () => {
        swept.push(...(await sweepStalled(h.runtime)));
        const row = await h.progress(syncId);
        return TERMINAL.includes(row.status) ? row.status : null;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `sync ${syncId} to end` },
    );
    return { store, syncId, status, swept };
  }

  test('a long server-side step that sends heartbeats outlives SYNC_STALL_TIMEOUT and completes', async () => {
    const { store, status, swept, syncId } = await runWithSlowStep(300);
    expect(status).toBe('completed');
    expect(swept).not.toContain(syncId);
    expect(store.events.heartbeats).toBeGreaterThan(10);
    expect(store.events.stepAborted).toBe(false);
    expect((await h.progress(syncId)).processedCount).toBe(20);
  });

  test('the same step without heartbeats is swept as timeout, and the step is aborted at once', async () => {
    const { store, status, swept, syncId } = await runWithSlowStep(null);
    expect(status).toBe('timeout');
    expect(swept).toContain(syncId);
    const row = await h.progress(syncId);
    expect((row.metadata as { error?: { code: string } }).error?.code).toBe('SYNC_STALLED');
    // The cancel watch aborts the adapter's wait well before its 6 s are over; close still runs.
    await waitFor(() => store.events.stepAborted && store.events.closed === 1, {
      timeoutMs: 10_000,
      what: 'the step to be aborted and the adapter closed',
    });
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
      expect.objectContaining({ status: 'timeout' }),
    ]);
  });
});
