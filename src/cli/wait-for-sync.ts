import cliProgress from 'cli-progress';
import { ErrorCodes, NotFoundError } from '../errors.js';
import { formatEta } from '../format-duration.js';
import type { Runtime } from '../runtime.js';
import { sleep } from '../sleep.js';
import { syncView, type SyncView } from '../sync/sync-view.js';

/** The bar's tail: the ETA while fetching, otherwise the phase (a deletion scan has no ETA). */
function tail(view: SyncView): string {
  if (view.phase === 'fetching') return `fetching · ETA ${formatEta(view.etaSeconds)}`;
  return view.phase === 'done' ? view.status : view.phase;
}

export interface WaitOutcome {
  view: SyncView;
  /** The wait gave up (`timeoutMs`) while the sync goes on. */
  timedOut: boolean;
}

/**
 * Polls `sync_progress` until the sync ends (or `timeoutMs`, when > 0). On a
 * terminal, draws a progress bar whose ETA and speed are the triggers' own
 * and which names the phase (fetching, deletion scan, finishing).
 */
export async function waitForSync(
  runtime: Runtime,
  syncId: string,
  options: {
    showProgress: boolean;
    timeoutMs: number;
    intervalMs?: number;
    /** Stops waiting (rejects with its reason); the sync goes on. */
    signal?: AbortSignal;
  },
): Promise<WaitOutcome> {
  const bar = options.showProgress
    ? new cliProgress.SingleBar(
        {
          format: '{bar} {percentage}% | {value}/{total} | {speed}/min | {tail}',
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
      options.signal?.throwIfAborted();
      const row = await runtime.prisma.syncProgress.findFirst({ where: { syncId } });
      if (!row) throw new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${syncId} not found`);
      const view = syncView(row);
      if (bar) {
        const payload = { speed: view.speedItemsPerMin ?? '--', tail: tail(view) };
        if (!started) {
          bar.start(Math.max(view.totalItems, 1), view.processedCount + view.failedCount, payload);
          started = true;
        }
        bar.setTotal(Math.max(view.totalItems, 1));
        bar.update(view.processedCount + view.failedCount, payload);
      }
      if (view.phase === 'done') return { view, timedOut: false };
      if (Date.now() > deadline) return { view, timedOut: true };
      await sleep(options.intervalMs ?? 500, options.signal);
    }
  } finally {
    bar?.stop();
  }
}
