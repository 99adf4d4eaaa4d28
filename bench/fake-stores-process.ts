// Fake WooCommerce stores in a process of their own, so that neither their CPU nor their event
// loop is the workers': each on its own port (its own rate budget), answering after `latencyMs`.
// argv: <stores> <latencyMs>. Prints one JSON line when ready:
// [{url, consumerKey, consumerSecret, counts: {customer, product, order, category, attribute}}].
// On the stdin line `dump` prints a second JSON line: each store's request arrival times (ms since
// the epoch, taken as the request reaches the store's handler). Exits on SIGTERM or stdin's end.
import { createInterface } from 'node:readline';
import { STORE_ENTITIES, STORE_SHAPE } from './concurrent-stores.js';
import { startFakeWooCommerce, type FakeWooServer } from '../test/fakes/woocommerce/server.js';

const stores = Number(process.argv[2] ?? 20);
const latencyMs = Number(process.argv[3] ?? 20);
const fakes: FakeWooServer[] = [];
for (let i = 0; i < stores; i++) {
  fakes.push(await startFakeWooCommerce({ ...STORE_SHAPE, variableShare: 0, seed: 100 + i, latencyMs }));
}
process.stdout.write(
  `${JSON.stringify(
    fakes.map((f) => ({
      url: f.url,
      consumerKey: f.consumerKey,
      consumerSecret: f.consumerSecret,
      counts: Object.fromEntries(STORE_ENTITIES.map((e) => [e, f.store.ids(e).length])),
    })),
  )}\n`,
);
const stop = async () => {
  for (const f of fakes) await f.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'dump') {
    process.stdout.write(`${JSON.stringify(fakes.map((f) => f.requests.map((r) => r.at)))}\n`);
  }
});
lines.on('close', () => void stop());
