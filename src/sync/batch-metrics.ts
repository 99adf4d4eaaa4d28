import { Counter, Histogram, register, type Registry } from 'prom-client';

/**
 * Where a batch transaction spends its time, by phase. A batch before the
 * last is one statement: `write` (records + sync_progress through Prisma +
 * batch_process row, commit-batch.sql). The last batch is an interactive
 * transaction: `begin` (connection + BEGIN), `deletions` (the diff and its
 * marks), `write` (the same statement), `state` (sync_state), `commit`.
 * Exported on /metrics and read by the bench.
 */
export const batchPhaseSeconds = new Histogram({
  name: 'sync_worker_batch_phase_seconds',
  help: 'Time spent per phase of a batch transaction',
  labelNames: ['phase'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  registers: [register],
});

export const recordsWritten = new Counter({
  name: 'sync_worker_records_total',
  help: 'Records examined by syncs, by outcome',
  labelNames: ['outcome'] as const,
  registers: [register],
});

export type BatchPhase = 'write' | 'begin' | 'deletions' | 'state' | 'commit';

/** Times the phases of one batch. */
export class PhaseTimer {
  private last = performance.now();
  readonly phases: Partial<Record<BatchPhase, number>> = {};

  mark(phase: BatchPhase): void {
    const now = performance.now();
    const ms = now - this.last;
    this.last = now;
    this.phases[phase] = (this.phases[phase] ?? 0) + ms;
    batchPhaseSeconds.labels(phase).observe(ms / 1000);
  }
}

export function metricsRegistry(): Registry {
  return register;
}
