import type { Command } from 'commander';
import { ErrorCodes, NotFoundError } from '../../errors.js';
import { LIVE_STATUSES } from '../../sync/sync-lifecycle.js';
import { syncView, type SyncView } from '../../sync/sync-view.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

function line(v: SyncView): string {
  const eta = v.etaSeconds === null ? '' : `, ETA ${v.etaSeconds}s`;
  return `${v.syncId}  ${v.status.padEnd(21)} ${v.entityType ?? '-'}  ${v.processedCount + v.failedCount}/${v.totalItems}${eta}`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show one sync (--sync), the live ones (--active), or the 20 most recent')
    .option('--sync <id>', 'sync id')
    .option('--active', 'only syncs that are pending, running or paused')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; sync?: string; active?: boolean }) =>
        withRuntime(async (runtime) => {
          if (opts.sync) {
            const row = await runtime.prisma.syncProgress.findFirst({ where: { syncId: opts.sync } });
            if (!row) throw new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${opts.sync} not found`);
            const view = syncView(row);
            printResult(opts.json, view, JSON.stringify(view, null, 2));
            return;
          }
          const rows = await runtime.prisma.syncProgress.findMany({
            where: opts.active ? { status: { in: [...LIVE_STATUSES] } } : {},
            orderBy: { startedAt: 'desc' },
            take: opts.active ? 1000 : 20,
          });
          const syncs = rows.map(syncView);
          printResult(opts.json, { syncs }, syncs.length ? syncs.map(line).join('\n') : 'no syncs');
        }),
      ),
    );
}
