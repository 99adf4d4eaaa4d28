import type { Command } from 'commander';
import { cancelSync } from '../../sync/cancel-sync.js';
import { printResult } from '../output.js';
import { runCommand } from '../run-command.js';
import { withRuntime } from '../with-runtime.js';

export function registerCancel(program: Command): void {
  program
    .command('cancel')
    .description('cancel a live sync; a running job stops at its next batch boundary')
    .requiredOption('--sync <id>', 'sync id')
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean; sync: string }) =>
        withRuntime({ redis: true }, async (runtime) => {
          const result = await cancelSync(runtime, { syncId: opts.sync });
          printResult(opts.json, result, `${result.syncId}: cancelled`);
        }),
      ),
    );
}
