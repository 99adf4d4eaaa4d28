import type { Command } from 'commander';
import { enqueueSync } from '../../queues/enqueue-sync.js';
import { ExitCode, printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';
import { waitForSync } from '../wait-for-sync.js';

interface SyncOptions {
  json?: boolean;
  connection: string;
  entity: string;
  mode: string;
  wait?: boolean;
  timeout: string;
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
    .option('--timeout <seconds>', 'with --wait: give up waiting after this long (the sync goes on)', '0')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: SyncOptions) =>
        withRuntime(async (runtime) => {
          const enqueued = await enqueueSync(runtime, {
            connectionId: opts.connection,
            entityType: opts.entity as never,
            mode: opts.mode as never,
            trigger: 'manual',
          });
          if (!opts.wait) {
            printResult(
              opts.json,
              { syncId: enqueued.syncId, status: enqueued.status },
              `${enqueued.created ? 'sync queued' : 'a sync is already running'}: ${enqueued.syncId} (${enqueued.status})`,
            );
            return ExitCode.OK;
          }
          const view = await waitForSync(runtime, enqueued.syncId, {
            showProgress: !opts.json && process.stderr.isTTY === true,
            timeoutMs: Number(opts.timeout) * 1000,
          });
          const result = {
            syncId: view.syncId,
            status: view.status,
            totalItems: view.totalItems,
            processedCount: view.processedCount,
            failedCount: view.failedCount,
            created: view.created,
            updated: view.updated,
            unchanged: view.unchanged,
            deleted: view.deleted,
          };
          printResult(
            opts.json,
            result,
            `${view.syncId}: ${view.status} — ${view.processedCount}/${view.totalItems} processed, ` +
              `${view.failedCount} failed; created ${view.created}, updated ${view.updated}, ` +
              `unchanged ${view.unchanged}, deleted ${view.deleted}` +
              (view.error ? `\nerror: ${view.error.message}` : ''),
          );
          return view.status === 'completed' ? ExitCode.OK : ExitCode.FAILED;
        }),
      ),
    );
}
