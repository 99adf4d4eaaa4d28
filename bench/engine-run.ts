import { enqueueSync } from '../src/queues/enqueue-sync.js';
import type { Runtime } from '../src/runtime.js';
import { batchPhaseSeconds } from '../src/sync/batch-metrics.js';

export interface EngineResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  batches: number;
  /** Seconds per phase of the batch transactions, summed over the run. */
  phaseSeconds: Record<string, number>;
  /** (progress update + log row) / whole batch transaction. */
  progressShare: number;
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
  for (;;) {
    row = await runtime.prisma.syncProgress.findFirstOrThrow({ where: { syncId } });
    if (row.status !== 'pending' && row.status !== 'in_progress') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  if (row.status !== 'completed')
    throw new Error(`bench sync ended ${row.status}: ${JSON.stringify(row.metadata)}`);
  const phaseSeconds = await phaseSums();
  const batchTotal = Object.values(phaseSeconds).reduce((a, b) => a + b, 0);
  return {
    records: row.processedCount,
    seconds,
    recordsPerSecond: row.processedCount / seconds,
    batches: row.batchNumber,
    phaseSeconds,
    progressShare: batchTotal ? ((phaseSeconds.progress ?? 0) + (phaseSeconds.log ?? 0)) / batchTotal : 0,
  };
}
