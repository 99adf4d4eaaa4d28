import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';
import { buildServer, type BuildServerOptions } from './server.js';

export interface RunningApi {
  server: FastifyInstance;
  /** The address it listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  /** Stops accepting connections and waits for the requests in flight. */
  close(): Promise<void>;
}

/** Builds the server and listens on HOST:PORT. */
export async function serveApi(runtime: Runtime, options: BuildServerOptions = {}): Promise<RunningApi> {
  const server = await buildServer(runtime, options);
  try {
    const url = await server.listen({ host: runtime.config.HOST, port: runtime.config.PORT });
    return { server, url, close: () => server.close() };
  } catch (err) {
    await server.close().catch(() => undefined);
    throw err;
  }
}
