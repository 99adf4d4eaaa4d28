import type { FastifyInstance } from 'fastify';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import type { Runtime } from '../runtime.js';
import { formatDemoReport } from './demo-report.js';
import { runDemoSession } from './demo-session.js';
import { startDemoStore } from './demo-store.js';
import { apiUrlOf } from './run-demo.js';

/**
 * `start --demo`: the demo runs beside the service (workers and API already
 * up), prints its report on stdout when its syncs are done, and its store
 * keeps serving until the process stops. A demo that fails is logged; the
 * service goes on.
 */
export async function serveDemo(
  runtime: Runtime,
  options: { encryptionKey: CredentialsKey; jwtSecret: string; app: FastifyInstance },
): Promise<{ close(): Promise<void> }> {
  const log = runtime.logger.child({ component: 'demo' });
  const store = await startDemoStore();
  const stop = new AbortController();
  runDemoSession(runtime, {
    ...options,
    store,
    apiUrl: apiUrlOf(runtime.config),
    showProgress: false,
    say: (line) => log.info(line),
    signal: stop.signal,
  }).then(
    (report) => {
      if (stop.signal.aborted) return;
      process.stdout.write(`${formatDemoReport(report, true)}\n`);
      if (report.status !== 'completed') log.error('the demo did not complete; the service goes on');
    },
    (err: unknown) => {
      // A shutdown in the middle of the demo ends its wait with the runtime: not worth an error.
      if (!stop.signal.aborted) log.error({ err }, 'the demo failed; the service goes on');
    },
  );
  return {
    async close() {
      stop.abort(new Error('the service is stopping'));
      await store.close();
    },
  };
}
