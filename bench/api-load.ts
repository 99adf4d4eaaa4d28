// The api suite: the HTTP API under load while syncs run. Several thousand
// authenticated requests (--requests N, default 5,000) at concurrency 20
// (--api-concurrency N) over keep-alive loopback connections, one user (and
// org) per client, against a server on the authenticator's login (RLS) with
// the per-user rate limit counted in Redis on every request. Meanwhile
// in-process workers keep running full syncs of a fake store. Prints
// requests/s and p50/p95/p99 latency per route; not a test.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import pg from 'pg';
import { Pool } from 'undici';
import { buildServer } from '../src/api/server.js';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createPrisma } from '../src/db/prisma.js';
import { createLogger } from '../src/logger.js';
import { enqueueSync } from '../src/queues/enqueue-sync.js';
import { createRuntime } from '../src/runtime.js';
import { startWorkers } from '../src/workers/start-workers.js';
import {
  BENCH_EGRESS_ALLOW,
  BENCH_RATE_LIMIT_PER_SECOND,
  createBenchDatabase,
  startFakeStoreProcess,
} from './bench-env.js';
import { adminUrl, percentile, printTable, redisUrl } from './stats.js';

const key = 'c'.repeat(64);
const secret = 'api-bench-secret-0123456789abcdef0123456789';

export interface ApiLoadOptions {
  requests: number;
  concurrency: number;
  storeCustomers: number;
}

export async function apiLoad(o: ApiLoadOptions) {
  console.log(
    `\napi suite: ${o.requests} requests at concurrency ${o.concurrency} on loopback, ` +
      `while syncs of a ${o.storeCustomers}-customer store run`,
  );
  const db = await createBenchDatabase(adminUrl);
  const store = await startFakeStoreProcess(o.storeCustomers);
  const authenticatorUrl = (() => {
    const u = new URL(db.url);
    u.username = 'sync_worker_authenticator';
    u.password = '';
    return u.toString();
  })();
  const config = loadConfig({
    DATABASE_URL: db.url,
    API_DATABASE_URL: authenticatorUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-bench-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    SYNC_JWT_SECRET: secret,
    // Counted on every request, high enough never to refuse one here.
    API_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger('warn');
  const runtime = createRuntime(config, { logger, poolSize: 10 });
  const serverRuntime = createRuntime(config, {
    logger,
    prisma: createPrisma(authenticatorUrl, { poolSize: 4 }),
  });
  const sql = new pg.Pool({ connectionString: db.url, max: 4 });
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  const app = await buildServer(serverRuntime, { poolSize: 10 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  const http = new Pool(`http://127.0.0.1:${address.port}`, { connections: o.concurrency });
  let stopSyncs = false;
  try {
    // One user and org per client, each with two connections to the store.
    const users = await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        const userId = randomUUID();
        const orgId = randomUUID();
        await sql.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [userId, orgId]);
        const connections = await Promise.all(
          [0, 1].map((i) =>
            createConnection(runtime.prisma, parseEncryptionKey(key), {
              orgId,
              type: 'woocommerce',
              name: `bench-${i}`,
              baseUrl: store.url,
              credentials: { key: store.consumerKey, secret: store.consumerSecret },
              settings: { authMode: 'query', rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND },
            }),
          ),
        );
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(userId)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(secret));
        return { userId, token, connections: connections.map((c) => c.id) };
      }),
    );

    // Syncs run the whole time: each connection is synced again as soon as it ends.
    let syncsCompleted = 0;
    const syncLoops = users.flatMap((u) =>
      u.connections.map(async (connectionId) => {
        while (!stopSyncs) {
          const { syncId } = await enqueueSync(runtime, {
            connectionId,
            entityType: 'customer',
            mode: 'full',
          });
          for (;;) {
            const { rows } = await sql.query('SELECT status::text FROM sync_progress WHERE sync_id = $1', [
              syncId,
            ]);
            if (rows[0] && !['pending', 'in_progress'].includes(rows[0].status)) break;
            await new Promise((r) => setTimeout(r, 100));
          }
          syncsCompleted++;
        }
      }),
    );
    // Let the first syncs get going before measuring.
    await new Promise((r) => setTimeout(r, 1000));

    const routes = ['list connections', 'list syncs', 'show sync'] as const;
    const latencies = new Map<string, number[]>(routes.map((r) => [r, []]));
    const statuses = new Map<number, number>();
    let next = 0;
    const syncIdsOf = new Map<string, string[]>();
    const started = performance.now();
    await Promise.all(
      users.map(async (u) => {
        for (;;) {
          const n = next++;
          if (n >= o.requests) return;
          const route = routes[n % routes.length]!;
          const known = syncIdsOf.get(u.userId) ?? [];
          const path =
            route === 'list connections'
              ? '/api/v1/connections'
              : route === 'list syncs' || !known.length
                ? '/api/v1/syncs?limit=20'
                : `/api/v1/syncs/${known[n % known.length]}`;
          const t0 = performance.now();
          const res = await http.request({
            method: 'GET',
            path,
            headers: { authorization: `Bearer ${u.token}` },
          });
          const text = await res.body.text();
          latencies
            .get(path.startsWith('/api/v1/syncs/') ? 'show sync' : route)!
            .push(performance.now() - t0);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (route === 'list syncs' && res.statusCode === 200) {
            const body = JSON.parse(text) as { syncs?: { syncId: string }[] };
            if (body.syncs?.length)
              syncIdsOf.set(
                u.userId,
                body.syncs.map((s) => s.syncId),
              );
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    stopSyncs = true;
    await Promise.all(syncLoops);

    const all = [...latencies.values()].flat();
    const row = (name: string, xs: number[]) => [
      name,
      xs.length,
      percentile(xs, 50).toFixed(1),
      percentile(xs, 95).toFixed(1),
      percentile(xs, 99).toFixed(1),
    ];
    printTable(
      ['route', 'requests', 'p50 ms', 'p95 ms', 'p99 ms'],
      [...[...latencies].filter(([, xs]) => xs.length).map(([name, xs]) => row(name, xs)), row('all', all)],
    );
    const byStatus = Object.fromEntries([...statuses].sort());
    console.log(
      `\n${all.length} requests in ${seconds.toFixed(1)} s: ${(all.length / seconds).toFixed(0)} requests/s; ` +
        `statuses ${JSON.stringify(byStatus)}; ${syncsCompleted} syncs completed meanwhile`,
    );
    return {
      requests: all.length,
      concurrency: o.concurrency,
      seconds: Number(seconds.toFixed(2)),
      requestsPerSecond: Number((all.length / seconds).toFixed(0)),
      p50Ms: Number(percentile(all, 50).toFixed(1)),
      p95Ms: Number(percentile(all, 95).toFixed(1)),
      p99Ms: Number(percentile(all, 99).toFixed(1)),
      statuses: byStatus,
      syncsCompletedDuringLoad: syncsCompleted,
      storeCustomers: o.storeCustomers,
    };
  } finally {
    stopSyncs = true;
    await http.close();
    await app.close();
    await workers.close();
    await serverRuntime.close();
    await runtime.close();
    await sql.end();
    await store.stop();
    await db.drop();
  }
}
