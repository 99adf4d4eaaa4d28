import { randomUUID } from 'node:crypto';
import type { CanonicalRecord } from '../src/adapters/types.js';
import { WooCommerceAdapter } from '../src/adapters/woocommerce/adapter.js';
import type { Runtime } from '../src/runtime.js';
import { upsertRecords } from '../src/sync/batch-writer.js';
import { commitBatch, readWalkState } from '../src/sync/commit-batch.js';
import { startFakeWooCommerce } from '../test/fakes/woocommerce/server.js';

export interface ProgressCost {
  batchSize: number;
  batches: number;
  /** Seconds to write the batches with their records only, one transaction each. */
  recordsOnlySeconds: number;
  /** Seconds to write the same batches as the worker does: records + progress update + log row. */
  fullBatchSeconds: number;
  /** (full − records only) / full: the share of batch time the progress update and log row cost. */
  share: number;
}

/**
 * The progress update and the log row, measured apart from the fetch: the
 * same canonical batches written twice into empty mirrors, once with the
 * records only, once through `commitBatch` (records + `sync_progress` through
 * Prisma + `batch_process` row). Nothing else runs on the event loop, so the
 * difference is their cost.
 */
export async function progressCost(
  runtime: Runtime,
  orgId: string,
  batchSize: number,
): Promise<ProgressCost> {
  const store = await startFakeWooCommerce({ customers: 20_000, seed: 42 });
  const mapper = new WooCommerceAdapter({
    connectionId: 'bench',
    ...store.connection({ authMode: 'query' }),
  });
  const records = store.store
    .list('customer')
    .map((raw) => mapper.map('customer', raw))
    .flatMap((m) => (m.ok ? [m.record] : []));
  await store.close();
  const batches: CanonicalRecord[][] = [];
  for (let i = 0; i < records.length; i += batchSize) batches.push(records.slice(i, i + batchSize));

  const connection = async () =>
    (
      await runtime.prisma.integrationConnection.create({
        data: {
          orgId,
          type: 'woocommerce',
          name: `cost-${randomUUID()}`,
          baseUrl: 'http://x',
          credentials: 'v1:x',
        },
      })
    ).id;
  const target = async () => ({
    orgId,
    connectionId: await connection(),
    entityType: 'customer' as const,
    syncId: `bench-${randomUUID()}`,
  });

  const recordsOnly = await target();
  let started = performance.now();
  for (const batch of batches)
    await runtime.prisma.$transaction((tx) => upsertRecords(tx, recordsOnly, batch));
  const recordsOnlySeconds = (performance.now() - started) / 1000;

  const full = await target();
  const progress = await runtime.prisma.syncProgress.create({
    data: {
      orgId,
      syncId: full.syncId,
      entityType: 'customer',
      status: 'in_progress',
      totalItems: records.length + 1,
      connectionId: full.connectionId,
      metadata: { requestedMode: 'full', trigger: 'manual', mode: 'full' },
    },
  });
  let state = await readWalkState(runtime.prisma, progress.id);
  started = performance.now();
  for (const batch of batches) {
    const outcome = await commitBatch(runtime.prisma, {
      target: full,
      state,
      userId: null,
      records: batch,
      failures: [],
      checkpoint: { offset: 0 },
      maxSeen: null,
      final: false,
      deleteGuard: 0.5,
    });
    state = outcome.state;
  }
  const fullBatchSeconds = (performance.now() - started) / 1000;
  return {
    batchSize,
    batches: batches.length,
    recordsOnlySeconds,
    fullBatchSeconds,
    share: (fullBatchSeconds - recordsOnlySeconds) / fullBatchSeconds,
  };
}
