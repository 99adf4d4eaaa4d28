import type { Command } from 'commander';
import { z } from 'zod';
import { listSyncSchedules, scheduleSync, unscheduleSync } from '../../queues/schedulers.js';
import { asFlagError, entityFlag, modeFlag, parseFlags, uuidFlag } from '../flags.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

const connection = uuidFlag('a connection id, as `connection list` prints');
const scheduleFlags = z.object({ connection, entity: entityFlag, cron: z.string(), mode: modeFlag });
const unscheduleFlags = z.object({ connection, entity: entityFlag });
const listFlags = z.object({ connection: connection.optional() });

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('sync one entity of a connection on a cron schedule (UTC); replaces an existing schedule')
    .enablePositionalOptions()
    // Checked by parseFlags, not commander: `schedule list` must not require them.
    .option('--connection <id>', 'connection id (required)')
    .option('--entity <type>', 'entity type (required)')
    .option('--cron <expr>', 'cron expression (5 or 6 fields, UTC)', '0 * * * *')
    .option('--mode <mode>', 'full|incremental', 'incremental')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const flags = parseFlags(scheduleFlags, opts);
        return withRuntime({ redis: true }, async (runtime) => {
          const result = await scheduleSync(runtime, {
            connectionId: flags.connection,
            entityType: flags.entity,
            cron: flags.cron,
            mode: flags.mode,
          }).catch((err: unknown) => {
            throw asFlagError(err);
          });
          printResult(
            opts.json,
            result,
            `scheduled ${result.schedulerId} (${result.cron} UTC, ${result.mode}); next run ${result.next ?? '-'}`,
          );
        });
      }),
    );

  schedule
    .command('list')
    .description('list the sync schedules (of one connection with --connection), with their next run')
    .option('--connection <id>', 'only this connection')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; connection?: string }) => {
        const flags = parseFlags(listFlags, opts);
        return withRuntime({ redis: true }, async (runtime) => {
          const schedules = await listSyncSchedules(runtime, flags.connection);
          printResult(
            opts.json,
            { schedules },
            schedules.length
              ? schedules
                  .map(
                    (s) =>
                      `${s.connectionId}  ${s.entityType.padEnd(9)}  ${s.cron.padEnd(14)}  ${s.mode.padEnd(11)}  next ${s.next ?? '-'}`,
                  )
                  .join('\n')
              : 'no sync schedules',
          );
        });
      }),
    );

  program
    .command('unschedule')
    .description('remove the schedule of one entity of a connection')
    .requiredOption('--connection <id>', 'connection id')
    .requiredOption('--entity <type>', 'entity type')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const flags = parseFlags(unscheduleFlags, opts);
        return withRuntime({ redis: true }, async (runtime) => {
          const result = await unscheduleSync(runtime, flags.connection, flags.entity);
          printResult(
            opts.json,
            result,
            result.removed ? `removed ${result.schedulerId}` : `no schedule ${result.schedulerId}`,
          );
        });
      }),
    );
}
