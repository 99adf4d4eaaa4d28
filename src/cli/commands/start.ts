import type { Command } from 'commander';
import { runCommand } from '../run-command.js';
import { runServices } from '../run-services.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the workers, the HTTP API and Bull Board in one process until SIGTERM/SIGINT')
    .option('--json', 'print one JSON object when stopped')
    .option('--no-maintenance', 'do not consume sync-maintenance nor upsert its schedulers')
    .option(
      '--demo',
      'also run the demo: a demo store on 127.0.0.1 (kept running), a demo org, user and connection, ' +
        'a full sync of its customers and products, then a token and curl lines on stdout',
    )
    .action(
      runCommand(async (opts: { json?: boolean; maintenance: boolean; demo?: boolean }) => {
        const stopped = await runServices({
          api: true,
          workers: { maintenance: opts.maintenance },
          demo: opts.demo === true,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
