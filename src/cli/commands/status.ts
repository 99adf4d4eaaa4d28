import type { Command } from 'commander';
import { ErrorCodes, NotFoundError } from '../../errors.js';
import { formatDuration, formatEta } from '../../format-duration.js';
import { LIVE_STATUSES } from '../../sync/sync-lifecycle.js';
import { syncView, type SyncView } from '../../sync/sync-view.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

/** `2026-11-26 22:19:00Z`: readable, still UTC. */
function time(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** One sync per line: times always; ETA only while fetching (never for a finished sync). */
function line(v: SyncView): string {
  const progress = `${v.processedCount + v.failedCount}/${v.totalItems}`;
  const when = v.endedAt
    ? `started ${time(v.startedAt)}, ended ${time(v.endedAt)} (${formatDuration((Date.parse(v.endedAt) - Date.parse(v.startedAt)) / 1000)})`
    : `started ${time(v.startedAt)}, ${v.phase}${v.etaSeconds === null ? '' : `, ETA ${formatEta(v.etaSeconds)}`}`;
  return `${v.syncId}  ${v.status.padEnd(21)} ${(v.entityType ?? '-').padEnd(9)} ${progress.padStart(11)}  ${when}`;
}

function detail(v: SyncView): string {
  return [
    line(v),
    `  mode ${v.mode ?? '-'} · speed ${v.speedItemsPerMin ?? '--'}/min · failed ${v.failedCount} · ` +
      `created ${v.created}, updated ${v.updated}, unchanged ${v.unchanged}, deleted ${v.deleted}`,
    ...(v.error ? [`  error: ${v.error.code}: ${v.error.message}`] : []),
  ].join('\n');
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
        withRuntime({}, async (runtime) => {
          if (opts.sync) {
            const row = await runtime.prisma.syncProgress.findFirst({ where: { syncId: opts.sync } });
            if (!row) throw new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${opts.sync} not found`);
            const view = syncView(row);
            printResult(opts.json, view, detail(view));
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
