// ETA truth (issue 7): the triggers' eta_seconds read at 25, 50 and 75 % of a
// sync against the time that then really remained, on a source answering each
// request after 250 ms — steady (full and incremental runs) and one that slows
// down halfway. Also the requests each run made against a plain walk's pages.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createLogger } from '../src/logger.js';
import { enqueueSync } from '../src/queues/enqueue-sync.js';
import { createRuntime } from '../src/runtime.js';
import { startWorkers } from '../src/workers/start-workers.js';
import { startFakeWooCommerce } from '../test/fakes/woocommerce/server.js';
import { BENCH_EGRESS_ALLOW, BENCH_RATE_LIMIT_PER_SECOND, createBenchDatabase } from './bench-env.js';
import { adminUrl, printTable, redisUrl } from './stats.js';

const key = 'e'.repeat(64);
const MARKS = [0.25, 0.5, 0.75] as const;

export interface EtaReading {
  /** Share of the items done when read (the first progress update at or past the mark). */
  mark: number;
  done: number;
  /** The trigger's eta_seconds (tenths of a second since …_eta_tenths). */
  etaSeconds: number | null;
  /** What remains ÷ the trigger's speed_items_per_min, unrounded. */
  etaFromSpeed: number | null;
  /** completed_at − the update's time: what really remained. */
  remainingSeconds: number;
  /** (eta_seconds − remaining) / remaining. */
  error: number | null;
  /** (etaFromSpeed − remaining) / remaining. */
  errorFromSpeed: number | null;
}

export interface EtaRun {
  name: string;
  mode: 'full' | 'incremental';
  seconds: number;
  requests: number;
  /** ⌈items / 100⌉ + 1: one request per page of 100, plus the count. */
  plainWalkRequests: number;
  readings: EtaReading[];
}

interface Row {
  done: number;
  total: number;
  eta: number | null;
  speed: number | null;
  at: number;
  completed: number | null;
  status: string;
}

export async function etaTruth(options: { customers?: number; latencyMs?: number } = {}) {
  const customers = options.customers ?? 8000;
  const latencyMs = options.latencyMs ?? 250;
  console.log(
    `\nETA truth: ${customers} customers, ${latencyMs} ms a request (slowing: ${2 * latencyMs} ms from the second half)`,
  );
  const db = await createBenchDatabase(adminUrl);
  // In process: the runs are bound by the store's latency, not by its CPU.
  const fake = await startFakeWooCommerce({ customers, seed: 77, latencyMs });
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-eta-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    LOG_LEVEL: 'warn',
  });
  const runtime = createRuntime(config, { logger: createLogger('warn') });
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const orgId = randomUUID();
  const newConnection = async (name: string) =>
    (
      await createConnection(runtime.prisma, parseEncryptionKey(key), {
        orgId,
        type: 'woocommerce',
        name,
        baseUrl: fake.url,
        credentials: { key: fake.consumerKey, secret: fake.consumerSecret },
        settings: { authMode: 'query', rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND },
      })
    ).id;

  async function read(syncId: string): Promise<Row | undefined> {
    const { rows } = await pool.query<Row>(
      `SELECT processed_count + failed_count AS done, total_items AS total, eta_seconds AS eta,
              speed_items_per_min::float8 AS speed, EXTRACT(EPOCH FROM updated_at)::float8 AS at,
              EXTRACT(EPOCH FROM completed_at)::float8 AS completed, status::text AS status
         FROM sync_progress WHERE sync_id = $1`,
      [syncId],
    );
    return rows[0];
  }

  async function run(name: string, connectionId: string, mode: 'full' | 'incremental'): Promise<EtaRun> {
    const before = fake.requestCount;
    const started = performance.now();
    const { syncId } = await enqueueSync(runtime, { connectionId, entityType: 'customer', mode });
    const firstPast = new Map<number, Row>();
    let row: Row | undefined;
    const trace: Row[] = [];
    for (;;) {
      row = await read(syncId);
      if (row && row.total > 0) {
        for (const mark of MARKS) {
          if (!firstPast.has(mark) && row.done >= mark * row.total && row.completed === null) {
            firstPast.set(mark, row);
          }
        }
      }
      if (process.env.ETA_TRACE && row && row.at !== trace.at(-1)?.at) trace.push(row);
      if (row && row.status !== 'pending' && row.status !== 'in_progress') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - started) / 1000;
    if (process.env.ETA_TRACE) {
      const t0 = trace[0]?.at ?? 0;
      console.log(name, trace.map((t) => `${(t.at - t0).toFixed(2)}:${t.done}:${t.eta}`).join(' '));
    }
    if (row.status !== 'completed' || row.completed === null)
      throw new Error(`ETA bench sync ended ${row.status}`);
    const readings = MARKS.map((mark): EtaReading => {
      const r = firstPast.get(mark)!;
      const remainingSeconds = row.completed! - r.at;
      const etaFromSpeed = r.speed ? ((r.total - r.done) / r.speed) * 60 : null;
      return {
        mark,
        done: r.done,
        etaSeconds: r.eta,
        etaFromSpeed,
        remainingSeconds,
        error: r.eta === null ? null : (r.eta - remainingSeconds) / remainingSeconds,
        errorFromSpeed: etaFromSpeed === null ? null : (etaFromSpeed - remainingSeconds) / remainingSeconds,
      };
    });
    return {
      name,
      mode,
      seconds,
      requests: fake.requestCount - before,
      plainWalkRequests: Math.ceil(row.total / 100) + 1,
      readings,
    };
  }

  const runs: EtaRun[] = [];
  try {
    await run('warm-up', await newConnection('eta-warm'), 'full'); // JIT, pools; not counted
    const steady = await newConnection('eta-steady');
    runs.push(await run('steady, full', steady, 'full'));
    runs.push(await run('steady, incremental', steady, 'incremental'));
    // Slows down halfway: every request for the second half of the records waits twice as long.
    fake.options.onRequest = async (_n, request) => {
      if (request.route === 'customers' && Number(request.query.offset ?? 0) >= customers / 2) {
        await new Promise((r) => setTimeout(r, latencyMs));
      }
    };
    runs.push(await run('slows down halfway, full', await newConnection('eta-slowing'), 'full'));
  } finally {
    fake.options.onRequest = undefined;
    await workers.close();
    await runtime.close();
    await pool.end();
    await fake.close();
    await db.drop();
  }

  const pct = (x: number | null) =>
    x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(0)} %`;
  printTable(
    [
      'run',
      'seconds',
      'requests (plain walk)',
      'eta_seconds error at 25 / 50 / 75 %',
      'from the speed, unrounded',
    ],
    runs.map((r) => [
      r.name,
      r.seconds.toFixed(1),
      `${r.requests} (${r.plainWalkRequests})`,
      r.readings
        .map((x) => `${pct(x.error)} (${x.etaSeconds} s vs ${x.remainingSeconds.toFixed(2)} s)`)
        .join(' / '),
      r.readings.map((x) => pct(x.errorFromSpeed)).join(' / '),
    ]),
  );
  return {
    customers,
    latencyMs,
    slowingLatencyMs: 2 * latencyMs,
    pageConcurrency: config.SYNC_PAGE_CONCURRENCY,
    batchSize: config.SYNC_BATCH_SIZE,
    runs,
    target: 'steady runs: within ±10 % from 25 % done',
  };
}
