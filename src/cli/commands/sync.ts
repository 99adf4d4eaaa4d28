import type { Command } from 'commander';
import { z } from 'zod';
import { enqueueSync } from '../../queues/enqueue-sync.js';
import type { SyncView } from '../../sync/sync-view.js';
import { asFlagError, entityFlag, modeFlag, parseFlags, secondsFlag, uuidFlag } from '../flags.js';
import { ExitCode, printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';
import { waitForSync } from '../wait-for-sync.js';

const syncFlags = z.object({
  connection: uuidFlag('a connection id, as `connection list` prints'),
  entity: entityFlag,
  mode: modeFlag,
  timeout: secondsFlag,
});

/** What `sync --wait --json` prints: the counts, and the error when the sync failed. */
function waitResult(view: SyncView, timedOut: boolean): Record<string, unknown> {
  return {
    syncId: view.syncId,
    status: view.status,
    totalItems: view.totalItems,
    processedCount: view.processedCount,
    failedCount: view.failedCount,
    created: view.created,
    updated: view.updated,
    unchanged: view.unchanged,
    deleted: view.deleted,
    ...(view.error ? { error: view.error } : {}),
    ...(timedOut ? { timedOut: true } : {}),
  };
}

function waitText(view: SyncView, timedOut: boolean, timeout: string): string {
  const counts =
    `${view.processedCount}/${view.totalItems} processed, ${view.failedCount} failed; ` +
    `created ${view.created}, updated ${view.updated}, unchanged ${view.unchanged}, deleted ${view.deleted}`;
  if (timedOut) {
    return (
      `${view.syncId}: still ${view.status} (${view.phase}) after ${timeout}s — ${counts}\n` +
      `the sync goes on running; follow it with: sync-worker status --sync ${view.syncId}`
    );
  }
  return `${view.syncId}: ${view.status} — ${counts}` + (view.error ? `\nerror: ${view.error.message}` : '');
}

export function registerSync(program: Command): void {
  program
    .command('sync')
    .description('trigger a sync of one entity of a connection (returns the running one if there is)')
    .requiredOption('--connection <id>', 'connection id')
    .requiredOption('--entity <type>', 'customer|product|order|invoice|supplier|inventory|category|attribute')
    .option('--mode <mode>', 'full|incremental', 'full')
    .option(
      '--wait',
      'wait for the end (progress bar with ETA on a terminal); exit 0 only when completed without errors',
    )
    .option(
      '--timeout <seconds>',
      'with --wait: stop waiting after this long, exit 1; the sync goes on running (0: no limit)',
      '0',
    )
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; wait?: boolean; timeout: string }) => {
        const flags = parseFlags(syncFlags, opts);
        return withRuntime({ redis: true }, async (runtime) => {
          const enqueued = await enqueueSync(runtime, {
            connectionId: flags.connection,
            entityType: flags.entity,
            mode: flags.mode,
            trigger: 'manual',
          }).catch((err: unknown) => {
            throw asFlagError(err);
          });
          if (!opts.wait) {
            printResult(
              opts.json,
              { syncId: enqueued.syncId, status: enqueued.status },
              `${enqueued.created ? 'sync queued' : 'a sync is already running'}: ${enqueued.syncId} (${enqueued.status})`,
            );
            return ExitCode.OK;
          }
          const { view, timedOut } = await waitForSync(runtime, enqueued.syncId, {
            showProgress: !opts.json && process.stderr.isTTY === true,
            timeoutMs: flags.timeout * 1000,
          });
          printResult(opts.json, waitResult(view, timedOut), waitText(view, timedOut, opts.timeout));
          return view.status === 'completed' ? ExitCode.OK : ExitCode.FAILED;
        });
      }),
    );
}
