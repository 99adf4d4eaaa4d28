import type { Command } from 'commander';
import { serveApi } from '../../api/serve.js';
import { loadConfig, requireConfig } from '../../config.js';
import { parseEncryptionKey } from '../../connections/credentials-cipher.js';
import { createRuntime } from '../../runtime.js';
import { runCommand } from '../run-command.js';
import { untilSignal } from '../until-signal.js';

export function registerApi(program: Command): void {
  program
    .command('api')
    .description(
      'serve the HTTP API, OpenAPI docs, /metrics and Bull Board on HOST:PORT until SIGTERM/SIGINT',
    )
    .option('--json', 'print one JSON object when stopped')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        const config = loadConfig();
        requireConfig(config, 'SYNC_JWT_SECRET', 'to verify API bearer tokens');
        const encryptionKey = config.SYNC_ENCRYPTION_KEY
          ? parseEncryptionKey(config.SYNC_ENCRYPTION_KEY)
          : undefined;
        const runtime = createRuntime(config);
        let stopped: { stopped: true; signal: NodeJS.Signals; url: string };
        try {
          const api = await serveApi(runtime, { encryptionKey });
          const signal = await untilSignal(runtime.logger);
          await api.close();
          stopped = { stopped: true, signal, url: api.url };
        } finally {
          await runtime.close();
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(stopped)}\n`);
      }),
    );
}
