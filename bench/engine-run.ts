import { enqueueSync } from '../src/queues/enqueue-sync.js';
import type { Runtime } from '../src/runtime.js';
import { batchPhaseSeconds } from '../src/sync/batch-metrics.js';
import { readMetadata } from '../src/sync/sync-metadata.js';

export interface EngineResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /**
   * Seconds until the page walk had committed its pages: until the progress
   * row first showed `metadata.phase = 'deletion scan'` (polled every 20 ms),
   * or the whole run when no serial scan ran.
   */
  walkSeconds: number;
  batches: number;
  /** Mean records per batch (group commit sizes its batches by the pages ready). */
  meanBatch: number;
  /** Seconds per phase of the batch transactions, summed over the run (sync_worker_batch_phase_seconds). */
  phaseSeconds: Record<string, number>;
}

async function phaseSums(): Promise<Record<string, number>> {
  const metric = await batchPhaseSeconds.get();
  const sums: Record<string, number> = {};
  for (const v of metric.values) {
    if (v.metricName?.endsWith('_sum')) sums[String(v.labels.phase)] = v.value;
  }
  return sums;
}

/** One full sync through the real path: producer → BullMQ → worker → adapter → batch writer → triggers. */
export async function engineRun(runtime: Runtime, connectionId: string): Promise<EngineResult> {
  batchPhaseSeconds.reset();
  const started = performance.now();
  const { syncId } = await enqueueSync(runtime, { connectionId, entityType: 'customer', mode: 'full' });
  let row;
  let walked: number | undefined;
  for (;;) {
    row = await runtime.prisma.syncProgress.findFirstOrThrow({ where: { syncId } });
    if (walked === undefined && readMetadata(row.metadata).phase === 'deletion scan')
      walked = performance.now();
    if (row.status !== 'pending' && row.status !== 'in_progress') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const done = performance.now();
  const seconds = (done - started) / 1000;
  if (row.status !== 'completed')
    throw new Error(`bench sync ended ${row.status}: ${JSON.stringify(row.metadata)}`);
  return {
    records: row.processedCount,
    seconds,
    recordsPerSecond: row.processedCount / seconds,
    walkSeconds: ((walked ?? done) - started) / 1000,
    batches: row.batchNumber,
    meanBatch: row.processedCount / Math.max(1, row.batchNumber),
    phaseSeconds: await phaseSums(),
  };
}
