import type { Command } from 'commander';
import { runCommand } from '../run-command.js';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'serve the HTTP API, OpenAPI docs, /metrics and Bull Board on HOST:PORT until SIGTERM/SIGINT',
    )
    .option('--json', 'print one JSON object when stopped')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        // Loaded on use: the API and the workers are most of the CLI's start-up cost.
        const { runServices } = await import('../run-services.js');
        const stopped = await runServices({ api: true });
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
