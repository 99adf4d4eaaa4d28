import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { entityTypes, parseWith } from '../validation.js';
import type { Runtime } from '../runtime.js';
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
export async function scheduleSync(
  runtime: Runtime,
  raw: ScheduleInput,
): Promise<{ schedulerId: string; cron: string; mode: string; next: number | null }> {
  const input = parseWith(scheduleInputSchema, raw, 'schedule');
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
    next: scheduler?.next ?? job?.timestamp ?? null,
  };
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
