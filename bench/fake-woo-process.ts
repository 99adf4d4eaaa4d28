// A fake WooCommerce store in its own process, so that the store's CPU is
// not the measured process's. Prints one JSON line {url, consumerKey,
// consumerSecret} when ready; exits on SIGTERM or when stdin closes.
// Arguments: customers (default 50,000), latency of every answer in ms (default 0).
import { startFakeWooCommerce } from '../test/fakes/woocommerce/server.js';

const customers = Number(process.argv[2] ?? 50_000);
const latencyMs = Number(process.argv[3] ?? 0);
const fake = await startFakeWooCommerce({ customers, seed: 42, latencyMs });
process.stdout.write(
  `${JSON.stringify({ url: fake.url, consumerKey: fake.consumerKey, consumerSecret: fake.consumerSecret })}\n`,
);
const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
