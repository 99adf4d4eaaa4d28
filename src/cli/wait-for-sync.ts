import cliProgress from 'cli-progress';
import { ErrorCodes, NotFoundError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { TERMINAL_STATUSES, syncView, type SyncView } from '../sync/sync-view.js';

function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Polls `sync_progress` until the sync ends (or `timeoutMs`, when > 0). On a
 * terminal, draws a progress bar whose ETA and speed are the triggers' own.
 */
export async function waitForSync(
  runtime: Runtime,
  syncId: string,
  options: { showProgress: boolean; timeoutMs: number; intervalMs?: number },
): Promise<SyncView> {
  const bar = options.showProgress
    ? new cliProgress.SingleBar(
        {
          format: '{bar} {percentage}% | {value}/{total} | {speed}/min | ETA {etaText} | {status}',
          stream: process.stderr,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Infinity;
  let started = false;
  try {
    for (;;) {
      const row = await runtime.prisma.syncProgress.findFirst({ where: { syncId } });
      if (!row) throw new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${syncId} not found`);
      const view = syncView(row);
      if (bar) {
        const payload = {
          speed: view.speedItemsPerMin ?? '--',
          etaText: formatEta(view.etaSeconds),
          status: view.status,
        };
        if (!started) {
          bar.start(Math.max(view.totalItems, 1), view.processedCount + view.failedCount, payload);
          started = true;
        }
        bar.setTotal(Math.max(view.totalItems, 1));
        bar.update(view.processedCount + view.failedCount, payload);
      }
      if (TERMINAL_STATUSES.includes(view.status) || Date.now() > deadline) return view;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
    }
  } finally {
    bar?.stop();
  }
}
