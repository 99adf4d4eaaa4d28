import { serveApi } from '../api/serve.js';
import { loadConfig, requireConfig } from '../config.js';
import { keyRingFromConfig, requireKeyRing } from '../connections/credentials-cipher.js';
import { demoEnvironment } from '../demo/demo-setup.js';
import { serveDemo } from '../demo/serve-demo.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { startWorkers, type WorkerSet } from '../workers/start-workers.js';
import { preflight } from './preflight.js';
import { untilSignal } from './until-signal.js';

export interface ServiceParts {
  /** Run the BullMQ workers (and, unless false, the maintenance queue and its schedulers). */
  workers?: { maintenance: boolean };
  /** Serve the HTTP API, /metrics and Bull Board. */
  api?: boolean;
  /** Also run the demo (its store, org, user, connection and syncs; needs workers and api). */
  demo?: boolean;
}

/**
 * The long-running commands (`worker`, `api`, `start`): check Postgres and
 * Redis, start the parts, wait for SIGTERM/SIGINT (listened for from the
 * start), then stop taking requests first and let the running batches
 * finish. Returns what `--json` prints.
 */
export async function runServices(
  parts: ServiceParts,
): Promise<{ stopped: true; signal: string; url?: string }> {
  // The demo's store is on 127.0.0.1: its process lets the workers reach that address.
  const config = loadConfig(parts.demo ? demoEnvironment(process.env) : process.env);
  const encryptionKey = parts.workers
    ? requireKeyRing(config, 'to decrypt connection credentials')
    : keyRingFromConfig(config);
  const jwtSecret = parts.api ? requireConfig(config, 'SYNC_JWT_SECRET', 'to verify API bearer tokens') : '';
  const logger = createLogger(config.LOG_LEVEL);
  // Listening from the start: a SIGTERM while starting stops the parts as soon as they are up.
  const stopped = untilSignal(logger);
  // Both serve jobs or requests from Postgres and Redis: never start without them.
  await preflight(config, { redis: true });
  const runtime = createRuntime(config, { logger });
  let workers: WorkerSet | undefined;
  try {
    if (parts.workers) {
      workers = await startWorkers(runtime, {
        encryptionKey: encryptionKey!,
        maintenance: parts.workers.maintenance,
      });
    }
    const api = parts.api ? await serveApi(runtime, { encryptionKey }) : undefined;
    const demo =
      parts.demo && api
        ? await serveDemo(runtime, { encryptionKey: encryptionKey!, jwtSecret, app: api.server })
        : undefined;
    const signal = await stopped;
    await api?.close();
    await demo?.close();
    return { stopped: true, signal, ...(api ? { url: api.url } : {}) };
  } finally {
    await workers?.close();
    await runtime.close();
  }
}
