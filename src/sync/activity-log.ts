import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import type { SyncAction, SyncEntityType, SyncStatusType } from '../generated/prisma/enums.js';

export interface ActivityEntry {
  orgId: string;
  syncId: string;
  entityType: SyncEntityType | null;
  action: SyncAction;
  status: SyncStatusType;
  recordCount?: number | null;
  durationSeconds?: number | null;
  errorMessage?: string | null;
  userId?: string | null;
}

/** One row of `sync_activity_log` (the completion row is the trigger's, never ours). */
export async function logActivity(db: PrismaTx | PrismaClient, entry: ActivityEntry): Promise<void> {
  await db.syncActivityLog.create({
    data: {
      orgId: entry.orgId,
      syncId: entry.syncId,
      entityType: entry.entityType,
      action: entry.action,
      status: entry.status,
      recordCount: entry.recordCount ?? null,
      durationSeconds: entry.durationSeconds ?? null,
      errorMessage: entry.errorMessage ?? null,
      userId: entry.userId ?? null,
    },
  });
}
