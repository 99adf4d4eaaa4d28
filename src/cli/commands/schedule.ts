import type { Command } from 'commander';
import { scheduleSync, unscheduleSync } from '../../queues/schedulers.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

interface ScheduleOptions {
  json?: boolean;
  connection: string;
  entity: string;
  cron: string;
  mode: string;
}

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('sync one entity of a connection on a cron schedule (UTC); replaces an existing schedule')
    .requiredOption('--connection <id>', 'connection id')
    .requiredOption('--entity <type>', 'entity type')
    .option('--cron <expr>', 'cron expression (5 or 6 fields, UTC)', '0 * * * *')
    .option('--mode <mode>', 'full|incremental', 'incremental')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: ScheduleOptions) =>
        withRuntime(async (runtime) => {
          const result = await scheduleSync(runtime, {
            connectionId: opts.connection,
            entityType: opts.entity as never,
            cron: opts.cron,
            mode: opts.mode as never,
          });
          printResult(opts.json, result, `scheduled ${result.schedulerId} (${result.cron}, ${result.mode})`);
        }),
      ),
    );

  program
    .command('unschedule')
    .description('remove the schedule of one entity of a connection')
    .requiredOption('--connection <id>', 'connection id')
    .requiredOption('--entity <type>', 'entity type')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; connection: string; entity: string }) =>
        withRuntime(async (runtime) => {
          const result = await unscheduleSync(runtime, opts.connection, opts.entity);
          printResult(
            opts.json,
            result,
            result.removed ? `removed ${result.schedulerId}` : `no schedule ${result.schedulerId}`,
          );
        }),
      ),
    );
}
