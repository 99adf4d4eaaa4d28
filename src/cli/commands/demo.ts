import type { Command } from 'commander';
import { buildServer } from '../../api/server.js';
import { loadConfig, requireConfig } from '../../config.js';
import { demoEnvironment } from '../../demo/demo-setup.js';
import { formatDemoReport } from '../../demo/demo-report.js';
import { runDemoSession } from '../../demo/demo-session.js';
import { startDemoStore } from '../../demo/demo-store.js';
import { apiUrlOf } from '../../demo/run-demo.js';
import { createRuntime } from '../../runtime.js';
import { startWorkers } from '../../workers/start-workers.js';
import { ExitCode, printResult } from '../output.js';
import { preflight } from '../preflight.js';
import { runCommand } from '../run-command.js';
import { requireKeyRing } from '../../connections/credentials-cipher.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'a whole sync against the demo store shipped in the package (a WooCommerce-compatible server on ' +
        '127.0.0.1, run by this process with the workers): creates a demo org, user and connection, ' +
        'syncs customers and products, then prints an API token, two curl lines and the Bull Board login; ' +
        'exits 0 when the syncs completed',
    )
    .option('--json', 'print one JSON object')
    .action(
      runCommand(async (opts: { json?: boolean }) => {
        // The printout tells the story; logs only say what went wrong, unless LOG_LEVEL asks for more.
        const config = loadConfig({ LOG_LEVEL: 'error', ...demoEnvironment(process.env) });
        const encryptionKey = requireKeyRing(config, "to store the demo connection's credentials");
        const jwtSecret = requireConfig(config, 'SYNC_JWT_SECRET', "to sign the demo user's API token");
        await preflight(config, { redis: true });
        const say = (line: string) => (opts.json ? undefined : process.stderr.write(`${line}\n`));
        const runtime = createRuntime(config);
        const closing: (() => Promise<unknown>)[] = [() => runtime.close()];
        try {
          const workers = await startWorkers(runtime, {
            encryptionKey,
            sources: ['woocommerce'],
            maintenance: false,
          });
          closing.unshift(() => workers.close());
          const app = await buildServer(runtime, { encryptionKey });
          closing.unshift(() => app.close());
          const store = await startDemoStore();
          closing.unshift(() => store.close());
          const report = await runDemoSession(runtime, {
            encryptionKey,
            jwtSecret,
            app,
            store,
            apiUrl: apiUrlOf(config),
            showProgress: !opts.json && process.stderr.isTTY === true,
            say,
          });
          printResult(opts.json, report, formatDemoReport(report, false));
          return report.status === 'completed' ? ExitCode.OK : ExitCode.FAILED;
        } finally {
          for (const close of closing) await close().catch(() => undefined);
        }
      }),
    );
}
