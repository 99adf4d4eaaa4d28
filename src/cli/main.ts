import { Command, CommanderError } from 'commander';
import { registerApi } from './commands/api.js';
import { registerConnection } from './commands/connection.js';
import { registerCancel } from './commands/cancel.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPreview } from './commands/preview.js';
import { registerSchedule } from './commands/schedule.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerWorker } from './commands/worker.js';
import { ExitCode } from './output.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('sync-worker')
    .description('Keeps a multi-tenant Postgres database in sync with WooCommerce, Odoo and Shopify stores')
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();
  registerMigrate(program);
  registerConnection(program);
  registerWorker(program);
  registerApi(program);
  registerStart(program);
  registerSync(program);
  registerPreview(program);
  registerStatus(program);
  registerCancel(program);
  registerSchedule(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; unknown flags and missing values are usage errors.
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    throw err;
  }
}
