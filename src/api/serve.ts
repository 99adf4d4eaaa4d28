import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';
import { buildMetricsServer } from './metrics-server.js';
import { buildServer, type BuildServerOptions } from './server.js';

export interface RunningApi {
  server: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  /** Where /metrics listens when METRICS_PORT is set, e.g. http://127.0.0.1:9464. */
  metricsUrl?: string;
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
}

/** Builds the server and listens on HOST:PORT (and the metrics listener on HOST:METRICS_PORT when set). */
export async function serveApi(runtime: Runtime, options: BuildServerOptions = {}): Promise<RunningApi> {
  const { HOST: host, PORT: port, METRICS_PORT: metricsPort } = runtime.config;
  const server = await buildServer(runtime, options);
  const metricsServer =
    metricsPort === undefined ? undefined : await buildMetricsServer(runtime, server.metrics);
  const close = async () => {
    await Promise.all([server.close(), metricsServer?.close()]);
  };
  try {
    const url = await server.listen({ host, port });
    const metricsUrl = await metricsServer?.listen({ host, port: metricsPort });
    return { server, url, ...(metricsUrl ? { metricsUrl } : {}), close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
