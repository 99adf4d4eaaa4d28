import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { defaultMigrationsDir } from '../src/db/migrate/migration-files.js';
import { migrateUp } from '../src/db/migrate/migrator.js';

/**
 * The bench connections' `rateLimitPerSecond`: the highest budget a
 * connection may set. The bench measures the engine against the raw limit
 * of a local fake store, so the store's rate budget (10 requests/s by
 * default, to protect real stores) must not be what it measures.
 */
export const BENCH_RATE_LIMIT_PER_SECOND = 100_000;

/** The fake store listens on loopback, which the egress policy refuses unless allowed. */
export const BENCH_EGRESS_ALLOW = '127.0.0.1/32';

/** A fresh, migrated database for one bench run (dropped at the end). */
export async function createBenchDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sw_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateUp({ databaseUrl: url.toString(), migrationsDir: defaultMigrationsDir });
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface FakeStoreProcess {
  url: string;
  consumerKey: string;
  consumerSecret: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bench/fake-woo-process.ts (each answer after `latencyMs`) and waits for its address. */
export async function startFakeStoreProcess(customers: number, latencyMs = 0): Promise<FakeStoreProcess> {
  const { info, child, stop } = await startJsonLineProcess<{
    url: string;
    consumerKey: string;
    consumerSecret: string;
  }>('./fake-woo-process.ts', [String(customers), String(latencyMs)]);
  return { ...info, child, stop };
}

/**
 * Starts a bench helper (`bench/<file>.ts`, through tsx) in its own process
 * and waits for the one JSON line it prints when ready; `stop` sends SIGTERM.
 */
export async function startJsonLineProcess<T>(
  file: string,
  args: string[],
): Promise<{ info: T; child: ChildProcess; stop(): Promise<void> }> {
  const entry = fileURLToPath(new URL(file, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.on('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return {
    info: JSON.parse(line) as T,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
