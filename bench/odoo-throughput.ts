// The sync suite against the fake Odoo (`--source odoo`): the same end-to-end
// sync against the raw limit as for WooCommerce, on Odoo's JSON-RPC.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pLimit from 'p-limit';
import { OdooAdapter } from '../src/adapters/odoo/adapter.js';
import { loadConfig } from '../src/config.js';
import { createConnection } from '../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../src/connections/credentials-cipher.js';
import { createLogger } from '../src/logger.js';
import { createRuntime } from '../src/runtime.js';
import { startWorkers } from '../src/workers/start-workers.js';
import {
  BENCH_EGRESS_ALLOW,
  BENCH_RATE_LIMIT_PER_SECOND,
  createBenchDatabase,
  startJsonLineProcess,
} from './bench-env.js';
import { engineRun, type EngineResult } from './engine-run.js';
import { copyLines, loadRaw, rawResult, type RawResult } from './raw-limit.js';
import { adminUrl, median, redisUrl } from './stats.js';

const key = 'b'.repeat(64);

interface OdooStoreInfo {
  url: string;
  credentials: { db: string; username: string; password: string };
  settings: Record<string, unknown>;
}

/**
 * The raw limit on Odoo: `search_read` of the same partners in id ranges of
 * 100 (`id >= a AND id < a + 100`: independent requests, so `concurrency` at
 * a time, unlike the engine's keyset), mapped by the adapter's mapper, then the
 * same COPY load as WooCommerce's.
 */
async function odooRawLimit(
  store: OdooStoreInfo,
  databaseUrl: string,
  target: { orgId: string; connectionId: string },
  concurrency: number,
): Promise<RawResult> {
  const mapper = new OdooAdapter({ connectionId: target.connectionId, baseUrl: store.url, ...store });
  const { db, password } = store.credentials;
  const call = async (method: string, args: unknown[], kwargs: Record<string, unknown>) => {
    const res = await fetch(`${store.url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        params: {
          service: 'object',
          method: 'execute_kw',
          args: [db, 2, password, 'res.partner', method, args, kwargs],
        },
        id: 1,
      }),
    });
    return ((await res.json()) as { result: unknown }).result;
  };
  const started = performance.now();
  const context = { active_test: false };
  const ids = (await call('search', [[['customer_rank', '>', 0]]], { order: 'id asc', context })) as number[];
  const limit = pLimit(concurrency);
  const pages = await Promise.all(
    Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) =>
      limit(
        async () =>
          (await call(
            'search_read',
            [
              [
                ['customer_rank', '>', 0],
                ['id', '>=', ids[i * 100]!],
                ['id', '<=', ids[Math.min(ids.length, i * 100 + 100) - 1]!],
              ],
            ],
            { context },
          )) as unknown[],
      ),
    ),
  );
  const lines = copyLines(pages.flat(), (item) => mapper.map('customer', item));
  const fetched = performance.now();
  await loadRaw(lines, databaseUrl, target);
  return rawResult(lines.length, started, fetched, performance.now());
}

/** `batchSize`: SYNC_BATCH_SIZE for the run (undefined: the product default). */
export async function odooThroughput(customers: number, rounds: number, batchSize?: number) {
  console.log(
    `sync-worker bench (Odoo, JSON-RPC): ${customers} customers, ${rounds} rounds, SYNC_BATCH_SIZE ${batchSize ?? 'default'}, ${os.cpus().length} cores, node ${process.version}`,
  );
  const db = await createBenchDatabase(adminUrl);
  const store = await startJsonLineProcess<OdooStoreInfo>('./fake-odoo-process.ts', [String(customers)]);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{sw-bench-${randomUUID().slice(0, 8)}}`,
    SYNC_ENCRYPTION_KEY: key,
    SYNC_EGRESS_ALLOW: BENCH_EGRESS_ALLOW,
    ...(batchSize ? { SYNC_BATCH_SIZE: String(batchSize) } : {}),
    LOG_LEVEL: 'warn',
  });
  const runtime = createRuntime(config, { logger: createLogger('warn') });
  const workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(key), maintenance: false });
  const orgId = randomUUID();
  const newConnection = async (name: string) =>
    (
      await createConnection(runtime.prisma, parseEncryptionKey(key), {
        orgId,
        type: 'odoo',
        name,
        baseUrl: store.info.url,
        credentials: store.info.credentials,
        // The default id-scan chunk, and no budget between the engine and a local fake.
        settings: {
          ...store.info.settings,
          idScanChunk: 5000,
          rateLimitPerSecond: BENCH_RATE_LIMIT_PER_SECOND,
        },
      })
    ).id;

  const raws: RawResult[] = [];
  const engines: EngineResult[] = [];
  try {
    const target = async (name: string) => ({ orgId, connectionId: await newConnection(name) });
    await odooRawLimit(store.info, db.url, await target('warm-raw'), config.SYNC_PAGE_CONCURRENCY);
    await engineRun(runtime, await newConnection('warm-engine'));
    for (let i = 0; i < rounds; i++) {
      const raw = await odooRawLimit(
        store.info,
        db.url,
        await target(`raw-${i}`),
        config.SYNC_PAGE_CONCURRENCY,
      );
      const engine = await engineRun(runtime, await newConnection(`engine-${i}`));
      raws.push(raw);
      engines.push(engine);
      console.log(
        `round ${i + 1}: raw ${raw.recordsPerSecond.toFixed(0)} rec/s, engine ${engine.recordsPerSecond.toFixed(0)} rec/s ` +
          `(${engine.seconds.toFixed(2)} s, ${engine.batches} batches)`,
      );
    }
  } finally {
    await workers.close();
    await runtime.close();
    await store.stop();
    await db.drop();
  }
  const rawRate = median(raws.map((r) => r.recordsPerSecond));
  const engineRate = median(engines.map((e) => e.recordsPerSecond));
  console.log('\n| figure (Odoo) | value |\n| --- | --- |');
  console.log(
    `| raw limit (id-range search_read 4 at a time + COPY/INSERT … ON CONFLICT) | ${rawRate.toFixed(0)} records/s |`,
  );
  console.log(
    `| end-to-end sync (keyset pages, full run with the id scan) | ${engineRate.toFixed(0)} records/s |`,
  );
  console.log(`| ratio engine / raw | ${(engineRate / rawRate).toFixed(2)} |`);
  return {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
    customers,
    rounds,
    batchSize: config.SYNC_BATCH_SIZE,
    raw: { recordsPerSecond: rawRate, runs: raws },
    engine: { recordsPerSecond: engineRate, runs: engines },
    ratio: engineRate / rawRate,
  };
}
