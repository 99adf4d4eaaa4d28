import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { entityTypes, parseWith } from '../validation.js';
import type { Runtime } from '../runtime.js';
import { checkEntity, producerConnection } from './producer-connection.js';
import { JobNames, MAINTENANCE_QUEUE } from './queue-names.js';

/**
 * The maintenance job schedulers. Upserted by id at every worker start, so
 * restarts and deploys never duplicate them.
 */
export const maintenanceSchedules = [
  { id: 'cleanup-preview-cache', name: JobNames.cleanupPreviewCache, pattern: '*/15 * * * *' },
  { id: 'maintain-partitions', name: JobNames.maintainPartitions, pattern: '17 0 * * *' },
  { id: 'sweep-stalled', name: JobNames.sweepStalled, pattern: '*/5 * * * *' },
] as const;

export async function upsertMaintenanceSchedulers(runtime: Runtime): Promise<void> {
  const queue = runtime.queue(MAINTENANCE_QUEUE);
  for (const s of maintenanceSchedules) {
    await queue.upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: 'UTC' },
      { name: s.name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 500, attempts: 3 } },
    );
  }
}

const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression with 5 or 6 fields, e.g. "0 * * * *"')
  .superRefine((value, ctx) => {
    try {
      CronExpressionParser.parse(value, { tz: 'UTC' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not a valid cron expression: ${(err as Error).message}` });
    }
  });

export const scheduleInputSchema = z
  .object({
    connectionId: z.uuid(),
    entityType: z.enum(entityTypes),
    cron: cronExpression.default('0 * * * *'),
    mode: z.enum(['full', 'incremental']).default('incremental'),
  })
  .strict();

export type ScheduleInput = z.input<typeof scheduleInputSchema>;

export function syncSchedulerId(connectionId: string, entityType: string): string {
  return `sync-schedule-${connectionId}-${entityType}`;
}

/**
 * A recurring sync of one (connection, entity). The scheduler puts a
 * `trigger-sync` job on the maintenance queue, whose processor calls the one
 * producer (enqueueSync) with trigger `scheduled`.
 */
/** A sync schedule as `schedule` and `schedule list` print it. */
export interface SyncSchedule {
  schedulerId: string;
  connectionId: string;
  entityType: string;
  cron: string;
  mode: string;
  /** ISO time of the next run (UTC); null when BullMQ has none. */
  next: string | null;
}

const isoOrNull = (ms: number | null | undefined): string | null =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

export async function scheduleSync(
  runtime: Runtime,
  raw: ScheduleInput,
): Promise<Omit<SyncSchedule, 'connectionId' | 'entityType'>> {
  const input = parseWith(scheduleInputSchema, raw, 'schedule');
  // A schedule of a connection that does not exist would fail at every run.
  const connection = await producerConnection(runtime.prisma, input.connectionId);
  checkEntity(runtime.sources, connection.type, input.entityType);
  const id = syncSchedulerId(input.connectionId, input.entityType);
  const queue = runtime.queue(MAINTENANCE_QUEUE);
  const job = await queue.upsertJobScheduler(
    id,
    { pattern: input.cron, tz: 'UTC' },
    {
      name: JobNames.triggerSync,
      data: { connectionId: input.connectionId, entityType: input.entityType, mode: input.mode },
      opts: { removeOnComplete: 100, removeOnFail: 500 },
    },
  );
  const scheduler = await queue.getJobScheduler(id);
  return {
    schedulerId: id,
    cron: input.cron,
    mode: input.mode,
    next: isoOrNull(scheduler?.next ?? job?.timestamp),
  };
}

/** Every sync schedule (of one connection, when given), by scheduler id. */
export async function listSyncSchedules(runtime: Runtime, connectionId?: string): Promise<SyncSchedule[]> {
  const schedulers = await runtime.queue(MAINTENANCE_QUEUE).getJobSchedulers(0, -1, true);
  return schedulers
    .filter((s) => s.name === JobNames.triggerSync)
    .map((s) => {
      const data = (s.template?.data ?? {}) as { connectionId?: string; entityType?: string; mode?: string };
      return {
        schedulerId: s.key,
        connectionId: data.connectionId ?? '',
        entityType: data.entityType ?? '',
        cron: s.pattern ?? '',
        mode: data.mode ?? 'incremental',
        next: isoOrNull(s.next),
      };
    })
    .filter((s) => connectionId === undefined || s.connectionId === connectionId)
    .sort((a, b) => a.schedulerId.localeCompare(b.schedulerId));
}

export async function unscheduleSync(
  runtime: Runtime,
  connectionId: string,
  entityType: string,
): Promise<{ schedulerId: string; removed: boolean }> {
  const id = syncSchedulerId(connectionId, entityType);
  const removed = await runtime.queue(MAINTENANCE_QUEUE).removeJobScheduler(id);
  return { schedulerId: id, removed };
}

/** Removes every sync schedule of a connection (when it is removed); returns how many. */
export async function unscheduleConnection(runtime: Runtime, connectionId: string): Promise<number> {
  const queue = runtime.queue(MAINTENANCE_QUEUE);
  let removed = 0;
  for (const schedule of await listSyncSchedules(runtime, connectionId)) {
    if (await queue.removeJobScheduler(schedule.schedulerId)) removed += 1;
  }
  return removed;
}
