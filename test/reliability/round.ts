import { expect } from 'vitest';
import type { SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { spawnCli, type CliProcess } from '../helpers/worker-process.js';

/**
 * What every round of the reliability suite checks, and its worker
 * processes: `bin/sync-worker.js worker` (the installed entry point, dist/)
 * with the harness's environment, logging at info, every line kept for the
 * secret check.
 */

export const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timed_out'];

/** A seeded generator (mulberry32): the suite's choices are replayable from the printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `RELIABILITY_SEED` or a fresh one, printed so that a failing run can be replayed. */
export function suiteSeed(what: string): number {
  const seed = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`${what}: seed ${seed} (RELIABILITY_SEED=${seed} replays it)`);
  return seed;
}

export class WorkerPool {
  readonly processes: CliProcess[] = [];
  constructor(private readonly env: () => Record<string, string>) {}

  spawn(): CliProcess {
    const worker = spawnCli(['worker'], { ...this.env(), LOG_LEVEL: 'info' }, { compiled: true });
    this.processes.push(worker);
    return worker;
  }

  /** The newest process still running. */
  live(): CliProcess | undefined {
    return this.processes.findLast((p) => p.child.exitCode === null && p.child.signalCode === null);
  }

  /**
   * Waits until the sync ends; whenever no worker is running (one that could not start on a busy
   * machine exits: its database or Redis check timed out), starts another and says so.
   */
  async waitForEnd(h: SyncHarness, syncId: string, timeoutMs = 120_000): Promise<string> {
    return waitFor(
      async () => {
        if (!this.live()) {
          const last = this.processes.at(-1);
          console.log(
            `no worker running (the last exited with ${last?.child.exitCode ?? last?.child.signalCode}: ` +
              `${last?.logs().trim().split('\n').at(-1)?.slice(0, 300) ?? ''}); starting one`,
          );
          this.spawn();
        }
        const row = await h.progress(syncId);
        return TERMINAL.includes(row.status) ? row.status : null;
      },
      { timeoutMs, intervalMs: 250, what: `sync ${syncId} to end` },
    );
  }

  /** Every line every worker wrote (stdout and stderr), so far. */
  lines(): string[] {
    return this.processes.flatMap((p) => `${p.logs()}\n${p.output()}`.split('\n')).filter(Boolean);
  }

  async stopAll(): Promise<void> {
    for (const p of this.processes) if (p.child.exitCode === null) p.kill('SIGTERM');
    await Promise.all(this.processes.map((p) => p.exited));
  }
}

/**
 * Values that must never reach a log line: the environment's keys, secrets,
 * tokens and passwords, and the store's credentials.
 */
export function secretsOf(env: Record<string, string>, credentials: Record<string, string>): string[] {
  return [
    ...Object.entries(env)
      .filter(([name]) => /KEY|SECRET|TOKEN|PASSWORD/.test(name))
      .map(([, value]) => value),
    ...Object.values(credentials),
  ].filter((value) => value.length >= 8);
}

export function expectNoSecretInLogs(lines: string[], secrets: string[]): void {
  expect(lines.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    const leaks = lines.filter((line) => line.includes(secret));
    expect(leaks, `a log line carries a secret (${secret.slice(0, 4)}…)`).toEqual([]);
  }
}

/**
 * The end of a round: the sync completed once with exactly the source's
 * records (none lost, none twice), one `sync_complete` row, one
 * `batch_process` row per committed batch.
 */
export async function expectExactRound(
  h: SyncHarness,
  syncId: string,
  connectionId: string,
  sourceIds: string[],
): Promise<void> {
  const row = await h.progress(syncId);
  expect(row.status, `${syncId}: ${JSON.stringify(row.metadata).slice(0, 500)}`).toBe('completed');
  expect(row.processedCount).toBe(sourceIds.length);
  const { rows } = await h.db.pool.query<{ external_id: string }>(
    `SELECT external_id FROM sync_record WHERE connection_id = $1 ORDER BY external_id`,
    [connectionId],
  );
  const stored = rows.map((r) => r.external_id);
  expect(stored.length, 'sync_record rows (duplicates?)').toBe(new Set(stored).size);
  expect(new Set(stored)).toEqual(new Set(sourceIds));
  const log = await h.activity(syncId);
  expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
    expect.objectContaining({ status: 'completed' }),
  ]);
  const batches = log.filter((r) => r.action === 'batch_process');
  expect(batches).toHaveLength(row.batchNumber);
  expect(batches.reduce((s, r) => s + (r.record_count ?? 0), 0)).toBe(sourceIds.length);
}
