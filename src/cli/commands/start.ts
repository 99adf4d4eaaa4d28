import type { Command } from 'commander';
import { serveApi } from '../../api/serve.js';
import { loadConfig, requireConfig } from '../../config.js';
import { createRuntime } from '../../runtime.js';
import { startWorkers } from '../../workers/start-workers.js';
import { runCommand } from '../run-command.js';
import { untilSignal } from '../until-signal.js';
import { encryptionKeyFrom } from '../with-runtime.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the workers, the HTTP API and Bull Board in one process until SIGTERM/SIGINT')
    .option('--json', 'print one JSON object when stopped')
    .option('--no-maintenance', 'do not consume sync-maintenance nor upsert its schedulers')
    .action(
      runCommand(async (opts: { json?: boolean; maintenance: boolean }) => {
        const config = loadConfig();
        const encryptionKey = encryptionKeyFrom(config, 'to decrypt connection credentials');
        requireConfig(config, 'SYNC_JWT_SECRET', 'to verify API bearer tokens');
        const runtime = createRuntime(config);
        let stopped: { stopped: true; signal: NodeJS.Signals; url: string };
        try {
          const workers = await startWorkers(runtime, { encryptionKey, maintenance: opts.maintenance });
          try {
            const api = await serveApi(runtime, { encryptionKey });
            const signal = await untilSignal(runtime.logger);
            // Stop taking requests first, then let the running batches finish.
            await api.close();
            stopped = { stopped: true, signal, url: api.url };
          } finally {
            await workers.close();
          }
        } finally {
          await runtime.close();
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
