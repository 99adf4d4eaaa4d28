// The concurrent suite: three `sync-worker worker` processes (bin/sync-worker.js, as installed)
// share N (1,000) distinct (connection, entity) syncs — C connections × 5 entities over O
// organisations, each organisation with a fake WooCommerce store of its own (all in one separate
// process, every answer after a latency). Midway one worker gets `kill -9` and another SIGTERM;
// each is replaced by a new process. Measures jobs/s, enqueue → completion and batch commit
// latency under contention (from the workers' debug `batch committed` lines), and checks every
// sync completed exactly once, records = source for every pair, no store's request budget was
// exceeded in any calendar second (from the stores' own arrival times), and no job is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import pg from 'pg';
import type { SyncEntityType } from '../src/generated/prisma/enums.js';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createLogger } from '../src/logger.js';
import { enqueueSync } from '../src/queues/enqueue-sync.js';
import { QueueNames } from '../src/queues/queue-names.js';
import { createRuntime } from '../src/runtime.js';
import { BENCH_EGRESS_ALLOW, createBenchDatabase } from './bench-env.js';
import { STORE_ENTITIES } from './concurrent-stores.js';
import { adminUrl, percentile, printTable, redisUrl } from './stats.js';

const key = 'b'.repeat(64);
const TIMEOUT_MS = 10 * 60_000;
/** The default request budget of a WooCommerce store (src/adapters/woocommerce/settings.ts). */
const BUDGET_PER_SECOND = 10;
const bin = fileURLToPath(new URL('../bin/sync-worker.js', import.meta.url));

export interface ConcurrentOptions {
  connections: number;
  orgs: number;
  workers: number;
  concurrency: number;
  latencyMs: number;
}

interface Store {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  counts: Record<string, number>;
}

/** A worker process whose pino lines are kept (for `batch committed`). */
class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly commitsMs: number[] = [];
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [bin, 'worker'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (!line.includes('batch committed')) return;
        try {
          const { phasesMs } = JSON.parse(line) as { phasesMs?: Record<string, number> };
          if (phasesMs) this.commitsMs.push(Object.values(phasesMs).reduce((s, v) => s + v, 0));
        } catch {
          // not a JSON line
        }
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', () => resolve()));
  }
}

export async function concurrentSyncs(o: ConcurrentOptions) {
  const syncs = o.connections * STORE_ENTITIES.length;
  console.log(
    `\nconcurrent suite: ${o.workers} worker processes, ${syncs} syncs (${o.connections} connections × ` +
      `${STORE_ENTITIES.length} entities, ${o.orgs} orgs, one store each, ${o.latencyMs} ms per answer), ` +
      `SYNC_CONCURRENCY_WOOCOMMERCE=${o.concurrency} per process; kill -9 and SIGTERM midway`,
  );
  const db = await createBenchDatabase(adminUrl);
  const storesProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./fake-stores-process.ts', import.meta.url)),
      String(o.orgs),
      String(o.latencyMs),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const storeLines = createInterface({ input: storesProcess.stdout! })[Symbol.asyncIterator]();
  const stores = JSON.parse((await storeLines.next()).value as string) as Store[];

  const prefix = `{sw-bench-${randomUUID().slice(0, 8)}}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    SYNC_CONCURRENCY_WOOCOMMERCE: String(o.concurrency),
    SYNC_JOB_LOCK_DURATION: '5s',
    SYNC_SHUTDOWN_TIMEOUT: '20s',
    LOG_LEVEL: 'debug',
  };
  const config = loadConfig({ ...env, LOG_LEVEL: 'warn' });
  const runtime = createRuntime(config, { logger: createLogger('warn'), poolSize: 16 });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const workers: WorkerProcess[] = [];
  try {
    const orgs = Array.from({ length: o.orgs }, () => randomUUID());
    const limit = pLimit(8);
    const connections = await Promise.all(
      Array.from({ length: o.connections }, (_, i) =>
        limit(async () => {
          const store = stores[i % o.orgs]!;
          const c = await createConnection(runtime.prisma, parseEncryptionKey(key), {
            orgId: orgs[i % o.orgs]!,
            type: 'woocommerce',
            name: `bench-${i}`,
            baseUrl: store.url,
            credentials: { key: store.consumerKey, secret: store.consumerSecret },
            // The default budget (10 requests/s per store): shared by the store's connections.
            settings: { authMode: 'query' },
          });
          return { id: c.id, store };
        }),
      ),
    );

    for (let i = 0; i < o.workers; i++) workers.push(new WorkerProcess(env));
    const enqueuedAt = new Map<string, number>();
    // As fast as the producer's pool allows (8 at a time: more only queue for a connection).
    const enqueueLimit = pLimit(8);
    const started = Date.now();
    const enqueued = await Promise.allSettled(
      connections.flatMap((c) =>
        STORE_ENTITIES.map((entityType) =>
          enqueueLimit(async () => {
            const s = await enqueueSync(runtime, {
              connectionId: c.id,
              entityType: entityType as SyncEntityType,
            });
            enqueuedAt.set(s.syncId, Date.now());
            return s;
          }),
        ),
      ),
    );
    // A producer whose transaction could not start in time (a busy machine) tries again, once each.
    const retried = connections
      .flatMap((c) => STORE_ENTITIES.map((entityType) => ({ c, entityType })))
      .filter((_, i) => enqueued[i]!.status === 'rejected');
    for (const { c, entityType } of retried) {
      const s = await enqueueSync(runtime, { connectionId: c.id, entityType: entityType as SyncEntityType });
      enqueuedAt.set(s.syncId, Date.now());
    }
    const enqueueSeconds = (Date.now() - started) / 1000;
    const enqueueErrors = enqueued.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    console.log(
      `enqueued ${enqueuedAt.size} in ${enqueueSeconds.toFixed(2)} s (${enqueueErrors.length} tried again${enqueueErrors.length ? `, first error: ${enqueueErrors[0]}` : ''})`,
    );

    // kill -9 at a quarter, SIGTERM at half; each replaced by a new process.
    const events: string[] = [];
    let killed = false;
    let terminated = false;
    let live = Infinity;
    let done = 0;
    let lastPrint = 0;
    while (live > 0 && Date.now() - started < TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await sql.query<{ live: number; done: number }>(
        `SELECT count(*) FILTER (WHERE status IN ('pending', 'in_progress', 'paused'))::int AS live,
                count(*) FILTER (WHERE status NOT IN ('pending', 'in_progress', 'paused'))::int AS done
           FROM sync_progress`,
      );
      ({ live, done } = rows[0]!);
      const at = `${((Date.now() - started) / 1000).toFixed(1)} s, ${done} ended`;
      if (!killed && done >= syncs / 4) {
        killed = true;
        workers[0]!.child.kill('SIGKILL');
        events.push(`kill -9 of worker 1 at ${at}`);
        workers.push(new WorkerProcess(env));
      }
      if (!terminated && done >= syncs / 2) {
        terminated = true;
        const victim = workers[1]!;
        victim.child.kill('SIGTERM');
        const signalledAt = Date.now();
        events.push(`SIGTERM to worker 2 at ${at}`);
        void victim.exited.then(() => {
          events.push(
            `worker 2 exited ${((Date.now() - signalledAt) / 1000).toFixed(1)} s after SIGTERM (code ${victim.child.exitCode})`,
          );
          workers.push(new WorkerProcess(env));
        });
      }
      if (Date.now() - lastPrint > 5_000) {
        lastPrint = Date.now();
        console.log(`  ${at}, ${live} live`);
      }
    }
    const { rows: ends } = await sql.query<{ sync_id: string; ended: Date }>(
      `SELECT sync_id, coalesce(completed_at, updated_at) AS ended FROM sync_progress`,
    );
    const lastEnd = Math.max(...ends.map((r) => r.ended.getTime()));
    const seconds = (lastEnd - started) / 1000;
    const latencies = ends.flatMap((r) =>
      enqueuedAt.has(r.sync_id) ? [(r.ended.getTime() - enqueuedAt.get(r.sync_id)!) / 1000] : [],
    );
    for (const e of events) console.log(e);

    // No job left: nothing waiting, active or delayed once every sync ended.
    const queue = runtime.queue(QueueNames.woocommerce);
    let counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
      if (!counts.waiting && !counts.active && !counts.delayed && !counts.prioritized) break;
      await new Promise((r) => setTimeout(r, 300));
    }

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
    const { rows: pairs } = await sql.query<{ connection_id: string; entity_type: string; n: number }>(
      `SELECT connection_id::text, entity_type::text, count(*)::int AS n FROM sync_record GROUP BY 1, 2`,
    );
    const stored = new Map(pairs.map((p) => [`${p.connection_id}/${p.entity_type}`, p.n]));
    let exactPairs = 0;
    let records = 0;
    for (const c of connections) {
      for (const entity of STORE_ENTITIES) {
        const n = stored.get(`${c.id}/${entity}`) ?? 0;
        records += n;
        if (n === c.store.counts[entity]) exactPairs++;
      }
    }

    // Every store's requests per calendar second, from its own arrival times.
    storesProcess.stdin!.write('dump\n');
    const arrivals = JSON.parse((await storeLines.next()).value as string) as number[][];
    let worstSecond = 0;
    let secondsOverBudget = 0;
    let requests = 0;
    for (const times of arrivals) {
      requests += times.length;
      const perSecond = new Map<number, number>();
      for (const t of times)
        perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
      for (const n of perSecond.values()) {
        worstSecond = Math.max(worstSecond, n);
        if (n > BUDGET_PER_SECOND) secondsOverBudget++;
      }
    }
    const commits = workers.flatMap((w) => w.commitsMs);

    const result = {
      machine: 'shared 2-core machine (other sessions running)',
      workers: o.workers,
      syncs,
      connections: o.connections,
      orgs: o.orgs,
      latencyMs: o.latencyMs,
      concurrencyPerWorker: o.concurrency,
      events,
      enqueueSeconds,
      enqueueErrors: enqueueErrors.length,
      seconds,
      jobsPerSecond: syncs / seconds,
      completionSeconds: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        max: percentile(latencies, 100),
      },
      batchCommitMs: commits.length
        ? {
            batches: commits.length,
            p50: percentile(commits, 50),
            p95: percentile(commits, 95),
            max: percentile(commits, 100),
          }
        : null,
      statuses,
      syncCompleteRows: { exactlyOne: log.exactly_one, moreThanOne: log.more, none: log.none },
      pairsWithSourceCount: exactPairs,
      records,
      budget: { perSecond: BUDGET_PER_SECOND, requests, worstSecond, secondsOverBudget },
      jobCounts: counts,
    };
    printTable(
      ['figure', 'value'],
      [
        ['worker processes / concurrency each', `${o.workers} / ${o.concurrency}`],
        [
          'syncs (connections × entities, orgs = stores)',
          `${syncs} (${o.connections} × ${STORE_ENTITIES.length}, ${o.orgs})`,
        ],
        ['store answer latency', `${o.latencyMs} ms`],
        ['interruptions', events.join('; ')],
        ['enqueue time (all enqueueSync calls)', `${enqueueSeconds.toFixed(2)} s`],
        ['time until the last sync ended (from the first enqueue)', `${seconds.toFixed(1)} s`],
        ['jobs/s', result.jobsPerSecond.toFixed(1)],
        [
          'enqueue → completed, p50 / p95 / max',
          `${result.completionSeconds.p50.toFixed(1)} / ${result.completionSeconds.p95.toFixed(1)} / ${result.completionSeconds.max.toFixed(1)} s`,
        ],
        [
          'batch commit (BEGIN → COMMIT), p50 / p95 / max',
          result.batchCommitMs
            ? `${result.batchCommitMs.p50.toFixed(1)} / ${result.batchCommitMs.p95.toFixed(1)} / ${result.batchCommitMs.max.toFixed(1)} ms (${result.batchCommitMs.batches} batches)`
            : '–',
        ],
        ['statuses', JSON.stringify(statuses)],
        [
          'syncs with exactly one sync_complete row',
          `${log.exactly_one} of ${syncs} (>1: ${log.more}, 0: ${log.none})`,
        ],
        [
          '(connection, entity) pairs with records = source',
          `${exactPairs} of ${syncs} (${records} records)`,
        ],
        [
          `store requests, busiest calendar second (budget ${BUDGET_PER_SECOND}/s)`,
          `${requests} requests; ${worstSecond} in the busiest second; ${secondsOverBudget} store-seconds over budget`,
        ],
        [
          'jobs left (waiting / active / delayed) · failed',
          `${counts.waiting ?? 0} / ${counts.active ?? 0} / ${counts.delayed ?? 0} · ${counts.failed ?? 0}`,
        ],
        ['enqueue calls tried again (transaction start timed out)', enqueueErrors.length],
      ],
    );
    return result;
  } finally {
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await runtime
      .queue(QueueNames.woocommerce)
      .obliterate({ force: true })
      .catch(() => undefined);
    await runtime.close();
    await sql.end();
    storesProcess.stdin!.end();
    await new Promise((r) => (storesProcess.exitCode !== null ? r(null) : storesProcess.on('exit', r)));
    await db.drop();
  }
}
