import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeOdoo, type FakeOdooServer } from '../fakes/odoo/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

/**
 * Issue 6's Odoo acceptance, end to end (BullMQ → worker → Odoo adapter →
 * batch writer → triggers): 1,000 partners of which 200 share one
 * `write_date`; after a full run, 9 modified, 4 added and 2 archived make an
 * incremental run report exactly those (archived = updated, never deleted);
 * 5 unlinked make the next full run mark exactly 5 deleted. (Wrong credentials,
 * storms, cancel, kill -9: the shared suites, test/jobs/sync-suite.ts and
 * test/reliability/worker-crash.test.ts, which run Odoo too.)
 */

let h: SyncHarness;
let fake: FakeOdooServer;

const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];

beforeAll(async () => {
  h = await createSyncHarness('odoosync', { SYNC_BATCH_SIZE: '100' });
  fake = await startFakeOdoo({ customers: 1000, tiedCustomers: 200, products: 300, seed: 21 });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function mirror(connectionId: string, entity: string) {
  const { rows } = await h.db.pool.query(
    `SELECT external_id, data, deleted_at FROM sync_record WHERE connection_id = $1 AND entity_type = $2`,
    [connectionId, entity],
  );
  return rows as { external_id: string; data: Record<string, unknown>; deleted_at: Date | null }[];
}

async function runToEnd(
  connectionId: string,
  entityType: 'customer' | 'product',
  mode: 'full' | 'incremental',
) {
  const { syncId } = await enqueueSync(h.runtime, { connectionId, entityType, mode });
  await h.waitForStatus(syncId, TERMINAL, 120_000);
  const row = await h.progress(syncId);
  const log = await h.activity(syncId);
  return { syncId, row, log, meta: row.metadata as { delta: Record<string, number>; mode: string } };
}

function expectOneCompletion(log: { action: string; status: string }[], status = 'completed') {
  expect(log.filter((r) => r.action === 'sync_complete')).toEqual([expect.objectContaining({ status })]);
}

describe('1,000 partners, 200 sharing one write_date (JSON-RPC)', () => {
  let connectionId: string;
  const customerIds = () =>
    fake.db
      .search('res.partner', [['customer_rank', '>', 0]], { order: 'id', activeTest: false })
      .map((r) => r.id);

  beforeAll(async () => {
    connectionId = (await h.addConnection({ type: 'odoo', ...fake.connection() })).id;
  });

  test('a full sync: exact counts, one completion', async () => {
    const { row, log, meta } = await runToEnd(connectionId, 'customer', 'full');
    expect(row.status).toBe('completed');
    expect(row.sourceSystem).toBe('odoo');
    expect(row.totalItems).toBe(1000);
    expect(row.processedCount).toBe(1000);
    expect(row.failedCount).toBe(0);
    expect(meta.delta).toMatchObject({ created: 1000, updated: 0, unchanged: 0, deleted: 0 });
    expectOneCompletion(log);
    const rows = await mirror(connectionId, 'customer');
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.external_id))).toEqual(new Set(customerIds().map(String)));
    // no offset was ever sent: every page a keyset
    expect(fake.requests.some((r) => r.kwargs && 'offset' in r.kwargs)).toBe(false);
  });

  test('modify 9, add 4, archive 2 → the incremental run reports exactly those; archived are updated', async () => {
    fake.db.advance(120);
    const ids = customerIds();
    const modified = [
      ids[5]!,
      ids[50]!,
      ids[100]!,
      ids[150]!,
      ids[300]!,
      ids[450]!,
      ids[600]!,
      ids[750]!,
      ids[999]!,
    ];
    for (const id of modified) fake.data.change('customer', id);
    const added = [0, 1, 2, 3].map(() => fake.data.create('customer').id);
    const archived = [ids[20]!, ids[21]!];
    fake.db.write('res.partner', archived, { active: false });

    const { row, log, meta } = await runToEnd(connectionId, 'customer', 'incremental');
    expect(row.status).toBe('completed');
    expect(meta.mode).toBe('incremental');
    expect(meta.delta).toMatchObject({ created: 4, updated: 11, deleted: 0 });
    expect(row.processedCount).toBe(row.totalItems);
    expectOneCompletion(log);
    const rows = await mirror(connectionId, 'customer');
    expect(rows).toHaveLength(1004);
    expect(rows.filter((r) => r.deleted_at !== null)).toEqual([]);
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    for (const id of archived) expect(byId.get(String(id))!.data.active).toBe(false);
    for (const id of added) expect(byId.has(String(id))).toBe(true);
  });

  test('5 unlinked → the next full run marks exactly 5 deleted, nothing else changes', async () => {
    // Partners nobody points at: unlinking a company would also clear its contacts' parent_id.
    const parents = new Set(fake.db.search('res.partner', [], { activeTest: false }).map((r) => r.parent_id));
    const ids = customerIds().filter((id) => !parents.has(id));
    const unlinked = [ids[1]!, ids[2]!, ids[400]!, ids[800]!, ids.at(-1)!];
    fake.db.unlink('res.partner', unlinked);

    const { row, log, meta } = await runToEnd(connectionId, 'customer', 'full');
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(999);
    expect(meta.delta).toMatchObject({ created: 0, updated: 0, unchanged: 999, deleted: 5 });
    expectOneCompletion(log);
    const rows = await mirror(connectionId, 'customer');
    expect(
      rows
        .filter((r) => r.deleted_at !== null)
        .map((r) => Number(r.external_id))
        .sort((a, b) => a - b),
    ).toEqual([...unlinked].sort((a, b) => a - b));
  });
});

describe('products over JSON-2: full then incremental', () => {
  test('300 products, then 10 modified and 5 added: only those fetched again', async () => {
    const { id: connectionId } = await h.addConnection({
      type: 'odoo',
      ...fake.connection({ protocol: 'json2' }),
    });
    const before = fake.requests.length;
    const full = await runToEnd(connectionId, 'product', 'full');
    expect(full.row.status).toBe('completed');
    expect(full.row.processedCount).toBe(300);
    expect(full.meta.delta).toMatchObject({ created: 300, updated: 0, deleted: 0 });
    expectOneCompletion(full.log);
    expect(fake.requests.slice(before).every((r) => r.protocol === 'json2')).toBe(true);

    // What the run reads again: the cursor's second and the 60 s of overlap before it.
    const products = fake.db.search('product.product', [], { order: 'id', activeTest: false });
    const newest = Math.max(...products.map((r) => r.write_date as number));
    const from = Math.floor(newest / 1e6) * 1e6 - 60e6;
    const reread = products.filter((r) => (r.write_date as number) >= from).map((r) => r.id);
    expect(reread.length).toBeGreaterThanOrEqual(1);

    fake.db.advance(300);
    const modified = products.slice(10, 20).map((r) => r.id);
    for (const id of modified) fake.data.change('product', id);
    const added = [0, 1, 2, 3, 4].map(() => fake.data.create('product').id);

    const inc = await runToEnd(connectionId, 'product', 'incremental');
    expect(inc.row.status).toBe('completed');
    expect(inc.meta.mode).toBe('incremental');
    expect(inc.meta.delta).toMatchObject({ created: 5, updated: 10, deleted: 0 });
    expect(inc.row.totalItems).toBe(new Set([...reread, ...modified, ...added]).size);
    expect(inc.meta.delta.unchanged).toBe(inc.row.totalItems - 15);
    expectOneCompletion(inc.log);
    expect((await mirror(connectionId, 'product')).filter((r) => r.deleted_at === null)).toHaveLength(305);
  });
});
