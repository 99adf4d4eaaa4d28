import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Command, CommanderError, Help, type Option } from 'commander';
import { registerApi } from './commands/api.js';
import { registerConnection } from './commands/connection.js';
import { registerCancel } from './commands/cancel.js';
import { registerDemo } from './commands/demo.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPreview } from './commands/preview.js';
import { registerSchedule } from './commands/schedule.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerSync } from './commands/sync.js';
import { registerToken } from './commands/token.js';
import { registerUser } from './commands/user.js';
import { registerWorker } from './commands/worker.js';
import { ExitCode } from './output.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** `--help` marks the options a command cannot run without. */
function optionDescription(this: Help, option: Option): string {
  const text = Help.prototype.optionDescription.call(this, option);
  return option.mandatory ? `${text} (required)` : text;
}

export function buildProgram(options: { json?: boolean } = {}): Command {
  const program = new Command()
    .name('sync-worker')
    .description('Keeps a multi-tenant Postgres database in sync with WooCommerce, Odoo and Shopify stores')
    .version(version, '-V, --version', 'print the version')
    .configureHelp({ optionDescription })
    // With --json, a usage error is printed as JSON on stdout (main) instead.
    .configureOutput({ outputError: (text, write) => (options.json ? undefined : write(text)) })
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();
  registerMigrate(program);
  registerConnection(program);
  registerUser(program);
  registerToken(program);
  registerWorker(program);
  registerApi(program);
  registerStart(program);
  registerSync(program);
  registerPreview(program);
  registerStatus(program);
  registerCancel(program);
  registerSchedule(program);
  registerDemo(program);
  return program;
}

/**
 * Reads `.env` from the working directory, as Docker Compose does for the
 * project: variables already in the environment win over the file.
 */
export function loadDotEnv(path = '.env'): boolean {
  if (!existsSync(path)) return false;
  process.loadEnvFile(path);
  return true;
}

export async function main(argv: string[]): Promise<void> {
  loadDotEnv();
  const json = argv.includes('--json');
  const program = buildProgram({ json });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; unknown flags and missing values are usage errors.
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      if (json && err.exitCode !== 0) {
        const message = err.message.replace(/^error: /, '');
        process.stdout.write(`${JSON.stringify({ error: { code: 'VALIDATION_FAILED', message } })}\n`);
      }
      return;
    }
    throw err;
  }
}
