import type { Command } from 'commander';
import { runCommand } from '../run-command.js';
import { runServices } from '../run-services.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the BullMQ workers (sync queues and maintenance) until SIGTERM/SIGINT')
    .option('--json', 'print one JSON object when stopped')
    .option('--no-maintenance', 'do not consume sync-maintenance nor upsert its schedulers')
    .action(
      runCommand(async (opts: { json?: boolean; maintenance: boolean }) => {
        const stopped = await runServices({ workers: { maintenance: opts.maintenance } });
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
