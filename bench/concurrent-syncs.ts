// The concurrent suite: N (1,000) `customer` full syncs enqueued at once
// through enqueueSync, over N connections (about 10 orgs) to one fake store,
// run by in-process workers with a raised SYNC_CONCURRENCY_WOOCOMMERCE.
// Measures enqueue time, time until all ended, syncs/s and records/s, and
// prints (does not assert) that every sync completed exactly once.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pLimit from 'p-limit';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createLogger } from '../src/logger.js';
import { enqueueSync } from '../src/queues/enqueue-sync.js';
import { QueueNames } from '../src/queues/queue-names.js';
import { createRuntime } from '../src/runtime.js';
import { startWorkers } from '../src/workers/start-workers.js';
import {
  BENCH_RATE_LIMIT_PER_SECOND,
  createBenchDatabase,
  startFakeStoreProcess,
  BENCH_EGRESS_ALLOW,
} from './bench-env.js';
import { adminUrl, percentile, printTable, redisUrl } from './stats.js';

const key = 'b'.repeat(64);
const ORGS = 10;
const TIMEOUT_MS = 5 * 60_000;

export interface ConcurrentOptions {
  syncs: number;
  storeCustomers: number;
  concurrency: number;
  poolSize: number;
}

export async function concurrentSyncs(o: ConcurrentOptions) {
  console.log(
    `\nconcurrent suite: ${o.syncs} customer full syncs at once, store of ${o.storeCustomers} customers, ` +
      `SYNC_CONCURRENCY_WOOCOMMERCE=${o.concurrency}, Prisma pool ${o.poolSize}, ${ORGS} orgs`,
  );
  const db = await createBenchDatabase(adminUrl);
  const store = await startFakeStoreProcess(o.storeCustomers);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-bench-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    SYNC_CONCURRENCY_WOOCOMMERCE: String(o.concurrency),
    LOG_LEVEL: 'warn',
  });
  const runtime = createRuntime(config, { logger: createLogger('warn'), poolSize: o.poolSize });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  let failedAttempts = 0;
  for (const w of workers.workers) w.on('failed', () => failedAttempts++);
  try {
    const orgs = Array.from({ length: ORGS }, () => randomUUID());
    const limit = pLimit(8);
    const connectionIds = await Promise.all(
      Array.from({ length: o.syncs }, (_, i) =>
        limit(async () => {
          const c = await createConnection(runtime.prisma, parseEncryptionKey(key), {
            orgId: orgs[i % ORGS],
            type: 'woocommerce',
            name: `bench-${i}`,
            baseUrl: store.url,
            credentials: { key: store.consumerKey, secret: store.consumerSecret },
            settings: { authMode: 'query', rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND },
          });
          return c.id;
        }),
      ),
    );

    const started = performance.now();
    const startedAt = Date.now();
    const enqueued = await Promise.allSettled(
      connectionIds.map((connectionId) =>
        enqueueSync(runtime, { connectionId, entityType: 'customer', mode: 'full' }),
      ),
    );
    const enqueueSeconds = (performance.now() - started) / 1000;
    const enqueueErrors = enqueued.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    console.log(
      `enqueued ${enqueued.length - enqueueErrors.length} in ${enqueueSeconds.toFixed(2)} s` +
        (enqueueErrors.length ? `, ${enqueueErrors.length} failed: ${enqueueErrors[0]}` : ''),
    );

    let live = Infinity;
    let lastPrint = 0;
    while (live > 0 && performance.now() - started < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await sql.query<{ live: number; done: number }>(
        `SELECT count(*) FILTER (WHERE status IN ('pending', 'in_progress', 'paused'))::int AS live,
                count(*) FILTER (WHERE status NOT IN ('pending', 'in_progress', 'paused'))::int AS done
           FROM sync_progress`,
      );
      live = rows[0]!.live;
      if (performance.now() - lastPrint > 5_000) {
        lastPrint = performance.now();
        console.log(`  ${((lastPrint - started) / 1000).toFixed(0)} s: ${rows[0]!.done} ended, ${live} live`);
      }
    }
    const seconds = (performance.now() - started) / 1000;

    // Verification, printed: statuses, one sync_complete row per sync, records per connection.
    const statuses = Object.fromEntries(
      (
        await sql.query<{ status: string; n: number }>(
          `SELECT status::text, count(*)::int AS n FROM sync_progress GROUP BY 1 ORDER BY 1`,
        )
      ).rows.map((r) => [r.status, r.n]),
    );
    const log = (
      await sql.query<{ exactly_one: number; more: number; none: number }>(
        `SELECT count(*) FILTER (WHERE n = 1)::int AS exactly_one, count(*) FILTER (WHERE n > 1)::int AS more,
                count(*) FILTER (WHERE n = 0)::int AS none
           FROM (SELECT p.sync_id, count(l.*) AS n FROM sync_progress p
                   LEFT JOIN sync_activity_log l ON l.sync_id = p.sync_id AND l.action = 'sync_complete'
                  GROUP BY p.sync_id) x`,
      )
    ).rows[0]!;
    const records = (
      await sql.query<{ exact: number; total: number; processed: number }>(
        `SELECT count(*) FILTER (WHERE n = $1)::int AS exact, coalesce(sum(n), 0)::int AS total,
                (SELECT coalesce(sum(processed_count), 0)::int FROM sync_progress) AS processed
           FROM (SELECT c.id, count(r.*) AS n FROM integration_connection c
                   LEFT JOIN sync_record r ON r.connection_id = c.id GROUP BY c.id) x`,
        [o.storeCustomers],
      )
    ).rows[0]!;
    const latencies = (
      await sql.query<{ ms: number }>(
        `SELECT extract(epoch FROM completed_at) * 1000 - $1 AS ms FROM sync_progress WHERE completed_at IS NOT NULL`,
        [startedAt],
      )
    ).rows.map((r) => Number(r.ms) / 1000);

    const result = {
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
      syncs: o.syncs,
      orgs: ORGS,
      storeCustomers: o.storeCustomers,
      concurrency: o.concurrency,
      poolSize: o.poolSize,
      enqueueSeconds,
      enqueueErrors: enqueueErrors.length,
      seconds,
      syncsPerSecond: o.syncs / seconds,
      recordsPerSecond: records.total / seconds,
      completionSeconds: latencies.length
        ? { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: percentile(latencies, 100) }
        : null,
      failedAttempts,
      statuses,
      syncCompleteRows: { exactlyOne: log.exactly_one, moreThanOne: log.more, none: log.none },
      records: {
        connectionsWithStoreSize: records.exact,
        total: records.total,
        processedCount: records.processed,
      },
    };
    printTable(
      ['figure', 'value'],
      [
        ['syncs enqueued at once (connections, orgs)', `${o.syncs} (${o.syncs}, ${ORGS})`],
        ['store size (customers per sync)', o.storeCustomers],
        ['worker concurrency / Prisma pool', `${o.concurrency} / ${o.poolSize}`],
        ['enqueue time (all enqueueSync calls)', `${enqueueSeconds.toFixed(2)} s`],
        ['time until all ended (from the first enqueue)', `${seconds.toFixed(1)} s`],
        ['syncs/s', result.syncsPerSecond.toFixed(1)],
        ['records/s', result.recordsPerSecond.toFixed(0)],
        [
          'enqueue → completed, p50 / p95 / max',
          result.completionSeconds
            ? `${result.completionSeconds.p50.toFixed(1)} / ${result.completionSeconds.p95.toFixed(1)} / ${result.completionSeconds.max.toFixed(1)} s`
            : '–',
        ],
        ['statuses', JSON.stringify(statuses)],
        [
          'syncs with exactly one sync_complete row',
          `${log.exactly_one} of ${o.syncs} (>1: ${log.more}, 0: ${log.none})`,
        ],
        [
          `connections with exactly ${o.storeCustomers} records`,
          `${records.exact} of ${o.syncs} (${records.total} records, processed_count sum ${records.processed})`,
        ],
        ['failed job attempts (retried)', failedAttempts],
        ['enqueue errors', enqueueErrors.length],
      ],
    );
    return result;
  } finally {
    await workers.close();
    await runtime
      .queue(QueueNames.woocommerce)
      .obliterate({ force: true })
      .catch(() => undefined);
    await runtime.close();
    await sql.end();
    await store.stop();
    await db.drop();
  }
}
