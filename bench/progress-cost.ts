import { randomUUID } from 'node:crypto';
import type { CanonicalRecord } from '../src/adapters/types.js';
import { WooCommerceAdapter } from '../src/adapters/woocommerce/adapter.js';
import type { Runtime } from '../src/runtime.js';
import type { BatchTarget } from '../src/sync/batch-writer.js';
import { upsertRecords } from './records-upsert.js';
import { commitBatch, readWalkState, type WalkState } from '../src/sync/commit-batch.js';
import { startFakeWooCommerce } from '../test/fakes/woocommerce/server.js';

export interface ProgressCost {
  batchSize: number;
  batches: number;
  /** Seconds to write the batches with their records only: the records upsert, one statement each. */
  recordsOnlySeconds: number;
  /** Seconds to write the same batches as the worker does (`commitBatch`: one statement with progress + log row). */
  fullBatchSeconds: number;
  /** (full − records only) / full: the share of batch time the progress update and log row cost. */
  share: number;
  /**
   * The same batches through the path the engine used before (an interactive
   * Prisma transaction: the upsert, the typed `updateManyAndReturn` of the
   * progress row, the log row as a tagged insert), against the same records-only time.
   */
  interactive: { seconds: number; share: number };
}

/** Canonical customer records of a seeded fake store (built in memory, no HTTP). */
async function customerRecords(count: number): Promise<CanonicalRecord[]> {
  const store = await startFakeWooCommerce({ customers: count, seed: 42 });
  const mapper = new WooCommerceAdapter({
    connectionId: 'bench',
    ...store.connection({ authMode: 'query' }),
  });
  const records = store.store
    .list('customer')
    .map((raw) => mapper.map('customer', raw))
    .flatMap((m) => (m.ok ? [m.record] : []));
  await store.close();
  return records;
}

/**
 * The progress update and the log row, measured apart from the fetch: the
 * same canonical batches (`batchSize` records each) written into empty
 * mirrors, once with the records only (the upsert statement alone), once
 * through `commitBatch` (records + `sync_progress` through Prisma +
 * `batch_process` row, one statement), and once through the former
 * interactive transaction. Nothing else runs on the event loop, so the
 * differences are their cost.
 */
export async function progressCost(
  runtime: Runtime,
  orgId: string,
  batchSize: number,
  records = 20_000,
): Promise<ProgressCost> {
  const all = await customerRecords(records);
  const batches: CanonicalRecord[][] = [];
  for (let i = 0; i < all.length; i += batchSize) batches.push(all.slice(i, i + batchSize));
  const { prisma } = runtime;

  const target = async (): Promise<BatchTarget> => {
    const connection = await prisma.integrationConnection.create({
      data: {
        orgId,
        type: 'woocommerce',
        name: `cost-${randomUUID()}`,
        baseUrl: 'http://x',
        credentials: 'v1:x',
      },
    });
    return { orgId, connectionId: connection.id, entityType: 'customer', syncId: `bench-${randomUUID()}` };
  };
  const progressRow = async (t: BatchTarget): Promise<WalkState> => {
    const row = await prisma.syncProgress.create({
      data: {
        orgId,
        syncId: t.syncId,
        entityType: 'customer',
        status: 'in_progress',
        totalItems: all.length + 1,
        connectionId: t.connectionId,
        metadata: { requestedMode: 'full', trigger: 'manual', mode: 'full' },
      },
    });
    return readWalkState(prisma, row.id);
  };
  const recordsOnly = await target();
  const full = await target();
  let state = await progressRow(full);
  const former = await target();
  let walk = await progressRow(former);

  // Records only: the upsert statement alone (no transaction around it: a statement is one).
  const writeRecordsOnly = (batch: CanonicalRecord[]) => upsertRecords(prisma, recordsOnly, batch);
  // As the worker writes a batch before the last: commitBatch, one statement.
  const writeFull = async (batch: CanonicalRecord[]) => {
    const outcome = await commitBatch(prisma, {
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
  };
  // The former path: an interactive transaction of three statements.
  const writeInteractive = (batch: CanonicalRecord[]) =>
    prisma.$transaction(async (tx) => {
      await upsertRecords(tx, former, batch);
      const processed = walk.processedCount + batch.length;
      const updated = await tx.syncProgress.updateManyAndReturn({
        where: { id: walk.progressId, status: 'in_progress', batchNumber: walk.batchNumber },
        select: { etaSeconds: true, speedItemsPerMin: true },
        data: {
          processedCount: processed,
          failedCount: 0,
          totalItems: walk.totalItems,
          currentItem: processed,
          batchNumber: walk.batchNumber + 1,
          metadata: { ...walk.metadata, checkpoint: { offset: 0 } } as object,
        },
      });
      if (updated.length !== 1) throw new Error('lost the progress row');
      await tx.$executeRaw`
        INSERT INTO sync_activity_log (org_id, sync_id, entity_type, action, status, record_count, user_id)
        VALUES (${orgId}::uuid, ${former.syncId}, 'customer'::sync_entity_type,
                'batch_process', 'in_progress', ${batch.length}, ${null}::uuid)`;
      walk = { ...walk, processedCount: processed, batchNumber: walk.batchNumber + 1 };
    });

  // The three paths take turns batch by batch, so that drift (caches, the machine's other load,
  // the table's growth) falls on all three alike.
  const seconds: [number, number, number] = [0, 0, 0];
  for (const batch of batches) {
    for (const [i, write] of [writeRecordsOnly, writeFull, writeInteractive].entries()) {
      const started = performance.now();
      await write(batch);
      seconds[i as 0 | 1 | 2] += (performance.now() - started) / 1000;
    }
  }
  const [recordsOnlySeconds, fullBatchSeconds, interactiveSeconds] = seconds;

  return {
    batchSize,
    batches: batches.length,
    recordsOnlySeconds,
    fullBatchSeconds,
    share: (fullBatchSeconds - recordsOnlySeconds) / fullBatchSeconds,
    interactive: {
      seconds: interactiveSeconds,
      share: (interactiveSeconds - recordsOnlySeconds) / interactiveSeconds,
    },
  };
}
