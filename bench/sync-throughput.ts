// The sync suite: end-to-end sync throughput against the raw limit, in the
// same run on the same machine (see README §Performance).
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
} from './bench-env.js';
import { engineRun, type EngineResult } from './engine-run.js';
import { progressCost, type ProgressCost } from './progress-cost.js';
import { rawLimit, type RawResult } from './raw-limit.js';
import { adminUrl, median, redisUrl } from './stats.js';

const key = 'b'.repeat(64);

export async function syncThroughput(customers: number, rounds: number, batchSize = 100) {
  console.log(
    `sync-worker bench: ${customers} customers, ${rounds} rounds, SYNC_BATCH_SIZE ${batchSize}, ${os.cpus().length} cores, node ${process.version}`,
  );
  const db = await createBenchDatabase(adminUrl);
  const store = await startFakeStoreProcess(customers);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-bench-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    SYNC_BATCH_SIZE: String(batchSize),
    LOG_LEVEL: 'warn',
  });
  const runtime = createRuntime(config, { logger: createLogger('warn') });
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  const orgId = randomUUID();

  async function newConnection(name: string): Promise<string> {
    const c = await createConnection(runtime.prisma, parseEncryptionKey(key), {
      orgId,
      type: 'woocommerce',
      name,
      baseUrl: store.url,
      credentials: { key: store.consumerKey, secret: store.consumerSecret },
      settings: { authMode: 'query', rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND },
    });
    return c.id;
  }

  const raws: RawResult[] = [];
  const engines: EngineResult[] = [];
  const costs: ProgressCost[] = [];
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
      const raw = await rawLimit(
        store,
        db.url,
        { orgId, connectionId: await newConnection(`raw-${i}`) },
        config.SYNC_PAGE_CONCURRENCY,
      );
      const engine = await engineRun(runtime, await newConnection(`engine-${i}`));
      raws.push(raw);
      engines.push(engine);
      console.log(
        `round ${i + 1}: raw ${raw.recordsPerSecond.toFixed(0)} rec/s (fetch ${raw.fetchSeconds.toFixed(2)} s + load ${raw.loadSeconds.toFixed(2)} s), ` +
          `engine ${engine.recordsPerSecond.toFixed(0)} rec/s (${engine.seconds.toFixed(2)} s, ${engine.batches} batches), ` +
          `progress share ${(engine.progressShare * 100).toFixed(1)} %`,
      );
    }
    // The progress update + log row measured apart from fetching (median of the rounds).
    await progressCost(runtime, orgId, batchSize); // warm-up
    for (let i = 0; i < rounds; i++) costs.push(await progressCost(runtime, orgId, batchSize));
  } finally {
    await workers.close();
    await runtime.close();
    await store.stop();
    await db.drop();
  }

  const rawRate = median(raws.map((r) => r.recordsPerSecond));
  const engineRate = median(engines.map((e) => e.recordsPerSecond));
  const share = median(engines.map((e) => e.progressShare));
  const isolatedShare = median(costs.map((c) => c.share));
  const results = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    customers,
    rounds,
    pageConcurrency: config.SYNC_PAGE_CONCURRENCY,
    batchSize: config.SYNC_BATCH_SIZE,
    raw: { recordsPerSecond: rawRate, runs: raws },
    engine: { recordsPerSecond: engineRate, runs: engines },
    ratio: engineRate / rawRate,
    progressShare: share,
    progressCost: { share: isolatedShare, runs: costs },
    targets: { ratio: 0.8, progressShare: 0.05 },
  };
  console.log('\n| figure | value | target |\n| --- | --- | --- |');
  console.log(`| raw limit (fetch + COPY/INSERT … ON CONFLICT) | ${rawRate.toFixed(0)} records/s | |`);
  console.log(
    `| end-to-end sync (BullMQ → adapter → batch writer → Prisma progress) | ${engineRate.toFixed(0)} records/s | |`,
  );
  console.log(`| ratio engine / raw | ${results.ratio.toFixed(2)} | ≥ 0.80 |`);
  console.log(
    `| progress update + log row, share of batch transaction time (wall clock, during the sync) | ${(share * 100).toFixed(1)} % | < 5 % |`,
  );
  console.log(
    `| progress update + log row, share of batch time measured apart (same batches with vs without) | ${(isolatedShare * 100).toFixed(1)} % | < 5 % |`,
  );
  return results;
}
