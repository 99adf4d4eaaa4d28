import type { FastifyInstance } from 'fastify';
import { BULL_BOARD_PATH } from '../api/bull-board.js';
import { API_PREFIX } from '../api/server.js';
import type { Config } from '../config.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { waitForSync } from '../cli/wait-for-sync.js';
import type { SyncEntityType } from '../generated/prisma/enums.js';
import { enqueueSync } from '../queues/enqueue-sync.js';
import type { Runtime } from '../runtime.js';
import type { SyncView } from '../sync/sync-view.js';
import { demoToken, ensureDemoConnection, ensureDemoUser } from './demo-setup.js';
import type { DemoStore } from './demo-store.js';

/** The entities the demo syncs, in order. */
export const DEMO_ENTITIES: readonly SyncEntityType[] = ['customer', 'product'];

/** How long the demo waits for one sync before it gives up. @defaultValue 10 minutes */
const SYNC_WAIT_MS = 10 * 60_000;

/** What the demo reports of each sync: its final view's counts, delta, time and error. */
const REPORTED = [
  'status',
  'totalItems',
  'processedCount',
  'failedCount',
  'created',
  'updated',
  'unchanged',
  'deleted',
  'elapsedSeconds',
  'error',
] as const satisfies readonly (keyof SyncView)[];

export type DemoSync = { entity: SyncEntityType; syncId: string } & Pick<SyncView, (typeof REPORTED)[number]>;

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, value[k]])) as Pick<T, K>;
}

/** What `sync-worker demo --json` prints (and the human printout says). */
export interface DemoReport {
  /** `completed` when every sync completed and the API answered the printed requests. */
  status: 'completed' | 'failed';
  orgId: string;
  userId: string;
  connectionId: string;
  store: { url: string; customers: number; products: number };
  syncs: DemoSync[];
  token: string;
  expiresAt: string;
  /** Where the API answers: this process (`start --demo`) or `sync-worker start`. */
  apiUrl: string;
  /** Two requests to try, ready for a shell. */
  curl: string[];
  bullBoard: { url: string; user: string; password: string } | null;
}

export interface RunDemoOptions {
  encryptionKey: CredentialsKey;
  jwtSecret: string;
  store: DemoStore;
  /** The API's address for the printed requests. */
  apiUrl: string;
  /** A progress bar per sync on stderr (a terminal). */
  showProgress: boolean;
  /** One line per step, for people (stderr). */
  say(line: string): void;
  /** Stops the demo's waits (the process is shutting down). */
  signal?: AbortSignal;
}

/** `http://localhost:3000`, or the address HOST names when it is not a wildcard. */
export function apiUrlOf(config: Config): string {
  const host = ['0.0.0.0', '::', ''].includes(config.HOST) ? 'localhost' : config.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
}

/**
 * The demo, once the store, the workers and (for `start --demo`) the API
 * run: the demo org, user and connection, a full sync of each demo entity
 * (through the one producer, watched from `sync_progress` as `sync --wait`
 * does), then a token and the requests to try.
 */
export async function runDemo(runtime: Runtime, options: RunDemoOptions): Promise<DemoReport> {
  const { config, prisma } = runtime;
  const { store } = options;
  const { orgId, userId } = await ensureDemoUser(prisma);
  const connection = await ensureDemoConnection(runtime, options.encryptionKey, store);
  options.say(
    `demo store at ${store.url}: ${store.customers} customers, ${store.products} products ` +
      `(connection "${connection.id}", org ${orgId})`,
  );
  const syncs: DemoSync[] = [];
  for (const entity of DEMO_ENTITIES) {
    const { syncId } = await enqueueSync(runtime, {
      connectionId: connection.id,
      entityType: entity,
      mode: 'full',
      trigger: 'manual',
      initiatedBy: userId,
    });
    options.say(`${entity} sync ${syncId}: running`);
    const { view } = await waitForSync(runtime, syncId, {
      showProgress: options.showProgress,
      timeoutMs: SYNC_WAIT_MS,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    syncs.push({ entity, syncId, ...pick(view, REPORTED) });
    options.say(
      `${entity} sync ${syncId}: ${view.status}, ${view.processedCount} of ${view.totalItems} ` +
        `(created ${view.created}, updated ${view.updated}, unchanged ${view.unchanged}, deleted ${view.deleted})`,
    );
  }
  const { token, expiresAt } = await demoToken(config, options.jwtSecret, userId);
  const auth = `-H "Authorization: Bearer ${token}"`;
  const { BULL_BOARD_USER: user, BULL_BOARD_PASSWORD: password } = config;
  return {
    status: syncs.every((s) => s.status === 'completed') ? 'completed' : 'failed',
    orgId,
    userId,
    connectionId: connection.id,
    store: { url: store.url, customers: store.customers, products: store.products },
    syncs,
    token,
    expiresAt,
    apiUrl: options.apiUrl,
    curl: [
      `curl -s ${auth} ${options.apiUrl}${API_PREFIX}/connections`,
      `curl -s ${auth} ${options.apiUrl}${API_PREFIX}/syncs/${syncs[0]!.syncId}`,
    ],
    bullBoard: user && password ? { url: `${options.apiUrl}${BULL_BOARD_PATH}`, user, password } : null,
  };
}

/**
 * Sends the report's requests to `app` (no socket), as its curl lines would:
 * the token must open the API. Returns the status of each.
 */
export async function checkDemoRequests(app: FastifyInstance, report: DemoReport): Promise<number[]> {
  const statuses: number[] = [];
  for (const line of report.curl) {
    const url = new URL(line.slice(line.lastIndexOf(' ') + 1));
    const res = await app.inject({
      method: 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { authorization: `Bearer ${report.token}` },
    });
    statuses.push(res.statusCode);
  }
  return statuses;
}
