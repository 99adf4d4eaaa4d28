import pg from 'pg';
import { enqueueSync } from '../src/queues/enqueue-sync.js';
import type { Runtime } from '../src/runtime.js';
import { batchPhaseSeconds } from '../src/sync/batch-metrics.js';

export interface EngineResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /**
   * Seconds until the page walk had committed its pages: until the progress
   * row first showed `metadata.phase = 'deletion scan'` (polled every 10 ms),
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

/** The progress row as the bench watches it. */
interface WatchedRow {
  status: string;
  phase: string | null;
  processed: number;
  batches: number;
  metadata: unknown;
}

/**
 * One full sync through the real path: producer → BullMQ → worker → adapter → batch writer → triggers.
 * The bench watches the progress row over a connection of its own with a plain `pg` query every
 * 10 ms: the watch shares the worker's process and event loop, so it must cost the engine little
 * (a Prisma read every 20 ms took about 5 % of the loop and detected the end 10 ms late on average).
 */
export async function engineRun(runtime: Runtime, connectionId: string): Promise<EngineResult> {
  const watch = new pg.Client({ connectionString: runtime.config.DATABASE_URL });
  await watch.connect();
  try {
    batchPhaseSeconds.reset();
    const started = performance.now();
    const { syncId } = await enqueueSync(runtime, { connectionId, entityType: 'customer', mode: 'full' });
    let row: WatchedRow | undefined;
    let walked: number | undefined;
    for (;;) {
      const { rows } = await watch.query<WatchedRow>(
        `SELECT status::text AS status, metadata ->> 'phase' AS phase, processed_count AS processed,
                batch_number AS batches, CASE WHEN status = 'completed' THEN NULL ELSE metadata END AS metadata
           FROM sync_progress WHERE sync_id = $1`,
        [syncId],
      );
      row = rows[0];
      if (!row) throw new Error(`bench sync ${syncId} has no progress row`);
      if (walked === undefined && row.phase === 'deletion scan') walked = performance.now();
      if (row.status !== 'pending' && row.status !== 'in_progress') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const done = performance.now();
    const seconds = (done - started) / 1000;
    if (row.status !== 'completed')
      throw new Error(`bench sync ended ${row.status}: ${JSON.stringify(row.metadata)}`);
    return {
      records: row.processed,
      seconds,
      recordsPerSecond: row.processed / seconds,
      walkSeconds: ((walked ?? done) - started) / 1000,
      batches: row.batches,
      meanBatch: row.processed / Math.max(1, row.batches),
      phaseSeconds: await phaseSums(),
    };
  } finally {
    await watch.end();
  }
}
