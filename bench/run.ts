// `npm run bench`: prints figures and writes bench/results.json; not a test.
// Suites (--suite sync|queries|concurrent|all, default all):
//   sync        end-to-end sync throughput against the raw limit (--customers N, --rounds N, --batch-size N
//               (default: the product's SYNC_BATCH_SIZE), --source woocommerce|odoo: the fake store it runs
//               against, default woocommerce), the progress cost measured apart, the latency-bound figure
//               (--latency-customers N, --latency-ms N: a store answering each request after that delay),
//               then ETA truth (8,000 customers, 250 ms a request: bench/eta-truth.ts; --eta-only: that alone)
//   queries     the seed's query table at the seed's scale, as the API runs it: RLS alone (--log-rows N, --orgs N)
//   concurrent  3 worker processes share 1,000 syncs, one kill -9 and one SIGTERM midway
//               (--connections N ×5 entities, --stores N (one org each), --workers N, --concurrency N, --latency ms)
//   api         the HTTP API under load while syncs run: p50/p95 (--requests N, --api-concurrency N),
//               not part of `all`
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { apiLoad } from './api-load.js';
import { concurrentSyncs } from './concurrent-syncs.js';
import { seedQueries } from './seed-queries.js';
import { odooThroughput } from './odoo-throughput.js';
import { syncThroughput } from './sync-throughput.js';
import { etaTruth } from './eta-truth.js';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    source: { type: 'string', default: 'woocommerce' },
    customers: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    'batch-size': { type: 'string' },
    'latency-customers': { type: 'string', default: '20000' },
    'latency-ms': { type: 'string', default: '100' },
    orgs: { type: 'string', default: '1000' },
    'log-rows': { type: 'string', default: '3000000' },
    connections: { type: 'string', default: '200' },
    workers: { type: 'string', default: '3' },
    stores: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '20' },
    latency: { type: 'string', default: '20' },
    requests: { type: 'string', default: '5000' },
    'api-concurrency': { type: 'string', default: '20' },
    'eta-only': { type: 'boolean', default: false },
  },
});
const suites = values.suite === 'all' ? ['sync', 'queries', 'concurrent'] : [values.suite!];
for (const s of suites) {
  if (!['sync', 'queries', 'concurrent', 'api'].includes(s)) throw new Error(`unknown suite ${s}`);
}

const file = new URL('./results.json', import.meta.url);
// A single suite's run keeps the other suites' last figures.
let results: Record<string, unknown> = {};
try {
  results = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
} catch {
  results = {};
}

if (!['woocommerce', 'odoo'].includes(values.source!)) throw new Error(`unknown source ${values.source}`);
if (suites.includes('sync') && values.source === 'odoo') {
  // Other sources' figures sit under `sources`, beside WooCommerce's at the top level.
  const sources = (results.sources ?? {}) as Record<string, unknown>;
  sources.odoo = await odooThroughput(
    Number(values.customers),
    Number(values.rounds),
    values['batch-size'] ? Number(values['batch-size']) : undefined,
  );
  results.sources = sources;
} else if (suites.includes('sync') && values['eta-only']) {
  results.etaTruth = await etaTruth();
} else if (suites.includes('sync')) {
  // The sync suite's keys stay at the top level, as before the other suites; the other suites'
  // objects are kept.
  const { queries, concurrent, api, sources } = results;
  results = {
    ...(await syncThroughput({
      customers: Number(values.customers),
      rounds: Number(values.rounds),
      ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
      latencyCustomers: Number(values['latency-customers']),
      latencyMs: Number(values['latency-ms']),
    })),
    queries,
    concurrent,
    api,
    sources,
  };
  results.etaTruth = await etaTruth();
}
if (suites.includes('queries')) {
  results.queries = await seedQueries({ orgs: Number(values.orgs), logRows: Number(values['log-rows']) });
}
if (suites.includes('concurrent')) {
  results.concurrent = await concurrentSyncs({
    connections: Number(values.connections),
    orgs: Number(values.stores),
    workers: Number(values.workers),
    concurrency: Number(values.concurrency),
    latencyMs: Number(values.latency),
  });
}
if (suites.includes('api')) {
  results.api = await apiLoad({
    requests: Number(values.requests),
    concurrency: Number(values['api-concurrency']),
    storeCustomers: 500,
  });
}
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwrote bench/results.json');
