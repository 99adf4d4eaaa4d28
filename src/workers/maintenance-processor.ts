import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { cleanupPreviewCache } from '../jobs/cleanup-preview-cache.js';
import { maintainPartitions } from '../jobs/maintain-partitions.js';
import { sweepStalled } from '../jobs/sweep-stalled.js';
import { entityTypes, parseWith } from '../validation.js';
import { enqueueSync } from '../queues/enqueue-sync.js';
import { JobNames } from '../queues/queue-names.js';
import type { Runtime } from '../runtime.js';
import { ValidationError } from '../errors.js';

const triggerSyncSchema = z.object({
  connectionId: z.uuid(),
  entityType: z.enum(entityTypes),
  mode: z.enum(['full', 'incremental']),
});

/** The fixed, validated list of maintenance tasks. */
export function createMaintenanceProcessor(runtime: Runtime) {
  return async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case JobNames.cleanupPreviewCache:
        return cleanupPreviewCache(runtime);
      case JobNames.maintainPartitions:
        return maintainPartitions(runtime);
      case JobNames.sweepStalled:
        return { swept: await sweepStalled(runtime) };
      case JobNames.triggerSync: {
        try {
          const data = parseWith(triggerSyncSchema, job.data, 'scheduled sync');
          return await enqueueSync(runtime, { ...data, trigger: 'scheduled' });
        } catch (err) {
          if (err instanceof ValidationError) throw new UnrecoverableError(err.message);
          throw err;
        }
      }
      default:
        throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    }
  };
}
