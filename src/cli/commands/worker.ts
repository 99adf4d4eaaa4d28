import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createRuntime } from '../../runtime.js';
import { startWorkers } from '../../workers/start-workers.js';
import { runCommand } from '../run-command.js';
import { encryptionKeyFrom } from '../with-runtime.js';
import { untilSignal } from '../until-signal.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the BullMQ workers (sync queues and maintenance) until SIGTERM/SIGINT')
    .option('--json', 'print one JSON object when stopped')
    .option('--no-maintenance', 'do not consume sync-maintenance nor upsert its schedulers')
    .action(
      runCommand(async (opts: { json?: boolean; maintenance: boolean }) => {
        const config = loadConfig();
        const encryptionKey = encryptionKeyFrom(config, 'to decrypt connection credentials');
        const runtime = createRuntime(config);
        const workers = await startWorkers(runtime, { encryptionKey, maintenance: opts.maintenance });
        const signal = await untilSignal(runtime.logger);
        await workers.close();
        await runtime.close();
        if (opts.json) process.stdout.write(`${JSON.stringify({ stopped: true, signal })}\n`);
      }),
    );
}
