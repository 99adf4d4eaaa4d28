// A fake Odoo in its own process, so that the server's CPU is not the measured
// process's. Prints one JSON line {url, credentials, settings} when ready;
// exits on SIGTERM or when stdin closes.
import { startOdooStore } from '../test/fakes/odoo/control.js';

const customers = Number(process.argv[2] ?? 50_000);
const store = await startOdooStore({ customers, seed: 42 });
process.stdout.write(
  `${JSON.stringify({ url: store.url, credentials: store.credentials, settings: store.settings })}\n`,
);
const stop = async () => {
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
