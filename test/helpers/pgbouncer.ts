import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ADMIN_DATABASE_URL, AUTHENTICATOR } from './env.js';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

/** Debian's pgbouncer binary, when the package is installed. */
export const PGBOUNCER_BIN = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(
  (bin) => spawnSync(bin, ['--version']).status === 0,
);

/**
 * A PgBouncer of the test's own in front of the test Postgres, in
 * transaction pooling mode (the production shape it is proven against):
 * loopback on a free port, a temp folder, every database forwarded, the
 * test cluster's trust logins (postgres and the API's authenticator) listed
 * in its auth_file.
 */
export interface PgBouncer {
  /** `url` (a Postgres URL of the test cluster) rewritten to go through PgBouncer. */
  urlFor(url: string): string;
  /** Totals from the admin console's SHOW STATS for `database`. */
  stats(database: string): Promise<{ xacts: number; queries: number }>;
  stop(): Promise<void>;
}

export async function startPgBouncer(options: { poolSize?: number } = {}): Promise<PgBouncer> {
  if (!PGBOUNCER_BIN) throw new Error('pgbouncer is not installed (apt-get install pgbouncer)');
  const upstream = new URL(ADMIN_DATABASE_URL);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'sw-pgbouncer-'));
  writeFileSync(
    path.join(dir, 'userlist.txt'),
    [upstream.username || 'postgres', AUTHENTICATOR].map((u) => `"${u}" ""`).join('\n') + '\n',
  );
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    `[databases]
* = host=${upstream.hostname} port=${upstream.port || 5432}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${path.join(dir, 'userlist.txt')}
admin_users = ${upstream.username || 'postgres'}
pool_mode = transaction
default_pool_size = ${options.poolSize ?? 20}
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits,options
logfile = ${path.join(dir, 'pgbouncer.log')}
pidfile = ${path.join(dir, 'pgbouncer.pid')}
`,
  );
  // PgBouncer refuses to run as root: as root (CI), it drops to the postgres account.
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : undefined;
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(path.join(dir, f), runAs.uid, runAs.gid);
  }
  const child: ChildProcess = spawn(
    PGBOUNCER_BIN,
    [...(runAs ? ['-u', runAs.name] : []), path.join(dir, 'pgbouncer.ini')],
    { stdio: 'ignore' },
  );
  const adminUrl = () => {
    const u = new URL(ADMIN_DATABASE_URL);
    u.port = String(port);
    u.pathname = '/pgbouncer';
    return u.toString();
  };
  const admin = async <T>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: adminUrl() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  };
  try {
    await waitFor(async () => (await admin('SHOW VERSION')).length > 0, {
      timeoutMs: 10_000,
      what: `pgbouncer on port ${port}`,
    });
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    urlFor(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async stats(database) {
      const rows = await admin<{ database: string; total_xact_count: string; total_query_count: string }>(
        'SHOW STATS',
      );
      const row = rows.find((r) => r.database === database);
      return { xacts: Number(row?.total_xact_count ?? 0), queries: Number(row?.total_query_count ?? 0) };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The account PgBouncer runs as when the tests run as root: postgres, else nobody. */
function unprivilegedUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) {
      return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new Error('no unprivileged account (postgres or nobody) to run pgbouncer as');
}
