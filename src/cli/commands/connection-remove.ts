import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config.js';
import { removeConnection } from '../../connections/connection-repository.js';
import { unscheduleConnection } from '../../queues/schedulers.js';
import { flagIssuesError } from '../connection-flags.js';
import { parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { requireKeyRing } from '../../connections/credentials-cipher.js';
import { withRuntime } from '../with-runtime.js';

const removeFlags = z.object({
  connection: uuidFlag('a connection id, as `connection list` prints'),
  keepMirror: z.boolean().optional(),
  deleteMirror: z.boolean().optional(),
});

/** `connection remove`: refused while a sync runs; the mirror kept or deleted, as asked; its schedules go. */
export function registerConnectionRemove(connection: Command): void {
  connection
    .command('remove')
    .description('remove a connection and its schedules (refused while one of its syncs runs)')
    .requiredOption('--connection <id>', 'the connection to remove')
    .option('--keep-mirror', 'keep its synced records (the connection is retired, its credentials wiped)')
    .option('--delete-mirror', 'delete its synced records and sync state with it')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const config = loadConfig();
        const flags = parseFlags(removeFlags, opts);
        if (flags.keepMirror === flags.deleteMirror) {
          throw flagIssuesError([
            '--keep-mirror or --delete-mirror: say what becomes of its synced records (one of them)',
          ]);
        }
        const mirror = flags.keepMirror ? 'keep' : 'delete';
        const key =
          mirror === 'keep'
            ? requireKeyRing(config, 'to wipe the credentials of a kept connection')
            : undefined;
        const result = await withRuntime(
          { redis: true },
          async (runtime) => {
            const removed = await runtime.prisma.$transaction((tx) =>
              removeConnection(tx, flags.connection, { mirror, ...(key ? { key } : {}) }),
            );
            return { ...removed, schedulesRemoved: await unscheduleConnection(runtime, removed.id) };
          },
          config,
        );
        printResult(
          opts.json,
          {
            id: result.id,
            mirror: result.mirror,
            records: result.records,
            schedulesRemoved: result.schedulesRemoved,
          },
          `removed connection "${result.name}" (${result.id}); ${result.records} synced record(s) ${result.mirror}` +
            (result.schedulesRemoved ? `, ${result.schedulesRemoved} schedule(s) removed` : ''),
        );
      }),
    );
}
