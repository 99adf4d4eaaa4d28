import type { Command } from 'commander';
import { runCommand } from '../run-command.js';
import { runServices } from '../run-services.js';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'serve the HTTP API, OpenAPI docs, /metrics and Bull Board on HOST:PORT until SIGTERM/SIGINT',
    )
    .option('--json', 'print one JSON object when stopped')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const stopped = await runServices({ api: true });
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
