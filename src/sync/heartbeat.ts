import type { HeartbeatDetail } from '../adapters/types.js';
import type { PrismaClient } from '../db/prisma.js';
import type { Logger } from '../logger.js';

export interface HeartbeatOptions {
  prisma: PrismaClient;
  progressId: string;
  /** Fewest milliseconds between two writes (a heartbeat called more often is skipped). */
  minIntervalMs: number;
  /** Renews the BullMQ job lock (the worker also renews it on its own timer). */
  extendLock?: () => Promise<unknown>;
  log: Logger;
}

/**
 * `AdapterContext.heartbeat` for one sync: touches its progress row (the
 * `updated_at` trigger moves the time the stall sweeper reads; the detail
 * goes to `metadata.heartbeat` with jsonb_set, so a concurrent batch's
 * metadata is never overwritten with a stale copy) and renews the job lock.
 * Only a running (`in_progress`) sync is touched. Never throws.
 */
export function createHeartbeat(options: HeartbeatOptions): (detail: HeartbeatDetail) => Promise<void> {
  let last = 0;
  let inFlight: Promise<void> | undefined;
  return async (detail) => {
    if (inFlight || Date.now() - last < options.minIntervalMs) return;
    last = Date.now();
    inFlight = beat(options, detail).finally(() => (inFlight = undefined));
    await inFlight;
  };
}

async function beat(options: HeartbeatOptions, detail: HeartbeatDetail): Promise<void> {
  const value = JSON.stringify({
    phase: detail.phase,
    ...(detail.message ? { message: detail.message } : {}),
    at: new Date().toISOString(),
  });
  try {
    await options.prisma.$executeRaw`
      UPDATE sync_progress
         SET metadata = jsonb_set(coalesce(metadata, '{}'::jsonb), '{heartbeat}', ${value}::jsonb)
       WHERE id = ${options.progressId}::uuid AND status = 'in_progress'`;
    await options.extendLock?.();
    options.log.debug({ heartbeat: detail }, 'sync heartbeat');
  } catch (err) {
    options.log.warn({ err, heartbeat: detail }, 'sync heartbeat could not be written');
  }
}
