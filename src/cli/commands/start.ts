import type { Command } from 'commander';
import { runCommand } from '../run-command.js';

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
        // Loaded on use: the API and the workers are most of the CLI's start-up cost.
        const { runServices } = await import('../run-services.js');
        const stopped = await runServices({
          api: true,
          workers: { maintenance: opts.maintenance },
          demo: opts.demo === true,
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
