// The sync suite: end-to-end sync throughput against the raw limit, in the
// same run on the same machine (see README §Performance), the progress cost
// measured apart, and the latency-bound figure.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';
import { startWorkers } from '../src/workers/start-workers.js';
import {
  BENCH_RATE_LIMIT_PER_SECOND,
  createBenchDatabase,
  startFakeStoreProcess,
  BENCH_EGRESS_ALLOW,
  type FakeStoreProcess,
} from './bench-env.js';
import { engineRun, type EngineResult } from './engine-run.js';
import { progressCost, type ProgressCost } from './progress-cost.js';
import { fetchPlainPages, rawLimit, type RawResult } from './raw-limit.js';
import { adminUrl, median, redisUrl } from './stats.js';

const key = 'b'.repeat(64);

export interface SyncSuiteOptions {
  customers: number;
  rounds: number;
  /** SYNC_BATCH_SIZE for the run; undefined: the product default. */
  batchSize?: number;
  /** Customers of the latency-bound store. */
  latencyCustomers: number;
  /** That store's delay before every answer. */
  latencyMs: number;
}

/** The machine the figures were taken on, and how busy it was. */
export function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

interface LatencyRound {
  records: number;
  /** Plain fetching of the same pages at the same concurrency. */
  plainSeconds: number;
  engine: EngineResult;
}

export async function syncThroughput(options: SyncSuiteOptions) {
  const { customers, rounds } = options;
  const before = machine();
  console.log(
    `sync-worker bench: ${customers} customers, ${rounds} rounds, SYNC_BATCH_SIZE ${options.batchSize ?? 'default'}; ` +
      `${before.cores} × ${before.cpu}, ${before.memoryGiB} GiB, ${before.platform}, node ${before.node}, ` +
      `load average ${before.loadAverage.join(' ')}`,
  );
  const db = await createBenchDatabase(adminUrl);
  const store = await startFakeStoreProcess(customers);
  const slowStore = await startFakeStoreProcess(options.latencyCustomers, options.latencyMs);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-bench-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    ...(options.batchSize ? { SYNC_BATCH_SIZE: String(options.batchSize) } : {}),
    LOG_LEVEL: 'warn',
  });
  const runtime = createRuntime(config, { logger: createLogger('warn') });
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  const orgId = randomUUID();

  async function newConnection(name: string, at: FakeStoreProcess = store): Promise<string> {
    const c = await createConnection(runtime.prisma, parseEncryptionKey(key), {
      orgId,
      type: 'woocommerce',
      name,
      baseUrl: at.url,
      credentials: { key: at.consumerKey, secret: at.consumerSecret },
      settings: { authMode: 'query', rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND },
    });
    return c.id;
  }
  const raws: RawResult[] = [];
  const engines: EngineResult[] = [];
  const latency: LatencyRound[] = [];
  const costs: ProgressCost[] = [];
  const pageCosts: ProgressCost[] = [];
  try {
    // Warm-up (JIT, pools, the store's caches), not counted.
    await rawLimit(
      store,
      db.url,
      { orgId, connectionId: await newConnection('warm-raw') },
      config.SYNC_PAGE_CONCURRENCY,
    );
    await engineRun(runtime, await newConnection('warm-engine'));
    for (let i = 0; i < rounds; i++) {
      // Each round loads into fresh, empty mirrors (one connection each).
      const r = await rawLimit(
        store,
        db.url,
        { orgId, connectionId: await newConnection(`raw-${i}`) },
        config.SYNC_PAGE_CONCURRENCY,
      );
      const engine = await engineRun(runtime, await newConnection(`engine-${i}`));
      raws.push(r);
      engines.push(engine);
      console.log(
        `round ${i + 1}: raw ${r.recordsPerSecond.toFixed(0)} rec/s (fetch ${r.fetchSeconds.toFixed(2)} s + load ${r.loadSeconds.toFixed(2)} s), ` +
          `engine ${engine.recordsPerSecond.toFixed(0)} rec/s (${engine.seconds.toFixed(2)} s, walk ${engine.walkSeconds.toFixed(2)} s, ` +
          `${engine.batches} batches of ${engine.meanBatch.toFixed(0)} on average)`,
      );
    }

    // Latency-bound: the same sync from a store answering each request after latencyMs,
    // against plain fetching of the same pages at the same concurrency.
    for (let i = 0; i < rounds; i++) {
      const started = performance.now();
      const pages = await fetchPlainPages(slowStore, config.SYNC_PAGE_CONCURRENCY);
      const plainSeconds = (performance.now() - started) / 1000;
      const engine = await engineRun(runtime, await newConnection(`slow-${i}`, slowStore));
      latency.push({ records: pages.flat().length, plainSeconds, engine });
      console.log(
        `latency round ${i + 1}: plain fetching ${plainSeconds.toFixed(2)} s, engine ${engine.seconds.toFixed(2)} s ` +
          `(walk ${engine.walkSeconds.toFixed(2)} s, ${engine.batches} batches): ratio ${(plainSeconds / engine.seconds).toFixed(2)}`,
      );
    }

    // The progress update + log row measured apart from fetching (median of the rounds),
    // at the engine's mean batch size and at one page.
    const meanBatch = Math.max(1, Math.round(median(engines.map((e) => e.meanBatch))));
    await progressCost(runtime, orgId, meanBatch); // warm-up
    for (let i = 0; i < rounds; i++) {
      costs.push(await progressCost(runtime, orgId, meanBatch));
      pageCosts.push(await progressCost(runtime, orgId, 100));
    }
  } finally {
    await workers.close();
    await runtime.close();
    await store.stop();
    await slowStore.stop();
    await db.drop();
  }

  const rawRate = median(raws.map((r) => r.recordsPerSecond));
  const engineRate = median(engines.map((e) => e.recordsPerSecond));
  // The walk alone: until the serial id scan of a full sync starts (issue 7 folds it into the walk).
  const walkRate = median(engines.map((e) => e.records / e.walkSeconds));
  const share = median(costs.map((c) => c.share));
  const interactiveShare = median(costs.map((c) => c.interactive.share));
  const pageShare = median(pageCosts.map((c) => c.share));
  const pageInteractiveShare = median(pageCosts.map((c) => c.interactive.share));
  const latencyRatio = median(latency.map((l) => l.plainSeconds / l.engine.seconds));
  const latencyWalkRatio = median(latency.map((l) => l.plainSeconds / l.engine.walkSeconds));
  const results = {
    date: new Date().toISOString(),
    machine: { ...before, loadAverageAfter: machine().loadAverage },
    customers,
    rounds,
    pageConcurrency: config.SYNC_PAGE_CONCURRENCY,
    batchSize: config.SYNC_BATCH_SIZE,
    raw: { recordsPerSecond: rawRate, runs: raws },
    engine: { recordsPerSecond: engineRate, runs: engines },
    ratio: engineRate / rawRate,
    walkRatio: walkRate / rawRate,
    progressShare: share,
    progressCost: {
      share,
      interactiveShare,
      onePage: { share: pageShare, interactiveShare: pageInteractiveShare },
      runs: costs,
      onePageRuns: pageCosts,
    },
    latencyBound: {
      customers: options.latencyCustomers,
      latencyMs: options.latencyMs,
      ratio: latencyRatio,
      walkRatio: latencyWalkRatio,
      runs: latency,
    },
    targets: { ratio: 0.8, progressShare: 0.05, latencyBound: 0.95 },
  };
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const meanBatch = costs[0]?.batchSize ?? 0;
  console.log('\n| figure | value | target |\n| --- | --- | --- |');
  console.log(`| raw limit (fetch + COPY/INSERT … ON CONFLICT) | ${rawRate.toFixed(0)} records/s | |`);
  console.log(
    `| end-to-end sync (BullMQ → adapter → group commit → one statement per batch) | ${engineRate.toFixed(0)} records/s | |`,
  );
  console.log(
    `| ratio engine / raw, SYNC_BATCH_SIZE ${config.SYNC_BATCH_SIZE} | ${results.ratio.toFixed(2)} (the walk alone, before the serial id scan: ${results.walkRatio.toFixed(2)}) | ≥ 0.80 |`,
  );
  console.log(
    `| progress update + log row, share of batch time measured apart (batches of ${meanBatch}, the sync's mean) | ${pct(share)} (interactive transaction: ${pct(interactiveShare)}) | < 5 % |`,
  );
  console.log(
    `| the same, batches of one page (100) | ${pct(pageShare)} (interactive transaction: ${pct(pageInteractiveShare)}) | |`,
  );
  console.log(
    `| latency-bound: plain fetching ÷ end-to-end sync, ${options.latencyCustomers} customers, ${options.latencyMs} ms per answer | ${latencyRatio.toFixed(2)} (walk alone: ${latencyWalkRatio.toFixed(2)}) | ≥ 0.95 |`,
  );
  console.log(
    `| machine | ${before.cores} × ${before.cpu}, load average ${before.loadAverage.join(' ')} → ${results.machine.loadAverageAfter.join(' ')} | |`,
  );
  return results;
}
