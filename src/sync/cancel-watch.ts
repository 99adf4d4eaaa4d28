import type { PrismaClient } from '../db/prisma.js';
import { SyncCancelledError, type StoppedStatus } from '../errors.js';
import type { Logger } from '../logger.js';

/** How often a process reads the status of the syncs it runs. @defaultValue 1000 */
export const CANCEL_POLL_INTERVAL_MS = 1000;

interface Watched {
  controller: AbortController;
}

/**
 * Stops this process's running syncs at once when they end elsewhere: a
 * cancel from the CLI or the API (any process), the stall sweeper's timeout,
 * another worker taking the job over. While syncs run, one query a second
 * reads their statuses (no LISTEN, so PgBouncer in transaction mode is fine)
 * and aborts the signal of each sync that is no longer live, with a
 * SyncCancelledError naming its status: in-flight requests, the page
 * prefetch and the id scan stop together.
 */
export class CancelWatch {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly logger: Logger,
    private readonly intervalMs = CANCEL_POLL_INTERVAL_MS,
  ) {}

  /** Watches one running sync; `release()` when its job is done with it. */
  watch(syncId: string): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    this.watched.set(syncId, { controller });
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs).unref();
    return {
      signal: controller.signal,
      release: () => {
        if (this.watched.get(syncId)?.controller === controller) this.watched.delete(syncId);
        if (this.watched.size === 0) this.stop();
      },
    };
  }

  /** Stops polling (the signals already given stay as they are). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.watched.size === 0) return;
    this.polling = true;
    try {
      const ids = [...this.watched.keys()];
      const rows = await this.prisma.syncProgress.findMany({
        where: { syncId: { in: ids } },
        select: { syncId: true, status: true },
      });
      const status = new Map(rows.map((r) => [r.syncId, r.status]));
      for (const id of ids) {
        const now = status.get(id);
        // Live, or completed by this very job's last batch: nothing to stop.
        if (now === 'pending' || now === 'in_progress' || now?.startsWith('completed')) continue;
        const stopped: StoppedStatus =
          now === 'timeout' || now === 'failed' || now === 'paused' ? now : 'cancelled';
        const entry = this.watched.get(id);
        if (!entry || entry.controller.signal.aborted) continue;
        this.logger.info({ syncId: id, status: now ?? 'gone' }, 'sync ended elsewhere; aborting its work');
        entry.controller.abort(new SyncCancelledError(id, stopped));
      }
    } catch (err) {
      this.logger.warn({ err }, 'could not read the status of running syncs');
    } finally {
      this.polling = false;
    }
  }
}
