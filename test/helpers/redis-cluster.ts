import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

const exec = promisify(execFile);

/**
 * A real Redis Cluster of the test's own, from Debian's redis-server: three
 * masters and three replicas on free loopback ports, each in its own temp
 * folder (AOF on), joined with `redis-cli --cluster create
 * --cluster-replicas 1`. A short `cluster-node-timeout` makes a replica take
 * over a killed master within a few seconds.
 */
export interface RedisCluster {
  /** `host:port,…` of every node (REDIS_CLUSTER_NODES). */
  nodes: string;
  /** The port of the master serving `key`'s slot. */
  masterOf(key: string): Promise<number>;
  /** SIGKILLs the node on `port`. */
  kill(port: number): Promise<void>;
  /** Until the slot of `key` is served by a master other than `formerPort`, and the cluster is ok. */
  waitForFailover(key: string, formerPort: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

const NODE_TIMEOUT_MS = 1000;

export async function startRedisCluster(): Promise<RedisCluster> {
  const ports: number[] = [];
  while (ports.length < 6) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const root = mkdtempSync(path.join(tmpdir(), 'sw-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const stopAll = async () => {
    await Promise.all([...children.keys()].map((port) => killPort(children, port)));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const nodeDir = mkdtempSync(path.join(root, `${port}-`));
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          nodeDir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--logfile',
          path.join(nodeDir, 'redis.log'),
          '--cluster-node-timeout',
          String(NODE_TIMEOUT_MS),
          '--appendonly',
          'yes',
          '--save',
          '',
          '--maxmemory-policy',
          'noeviction',
          '--repl-diskless-sync-delay',
          '0',
        ],
        { stdio: 'ignore' },
      );
      children.set(port, child);
    }
    for (const port of ports)
      await waitFor(() => ping(port), { timeoutMs: 10_000, what: `redis-server :${port}` });
    await exec(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 60_000 },
    );
    // Every node agrees the cluster is ok and knows its replicas.
    await waitFor(
      async () => {
        for (const port of ports) {
          if (!(await clusterInfo(port)).includes('cluster_state:ok')) return false;
        }
        const links = await Promise.all(ports.map((p) => replicaLink(p)));
        return links.filter((l) => l === 'up').length === 3;
      },
      { timeoutMs: 30_000, what: 'the Redis Cluster to be ok with 3 replicas in sync' },
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  const alive = () => ports.filter((p) => children.get(p)?.exitCode === null);

  const masterOf = async (key: string) => {
    for (const port of alive()) {
      const client = probe(port);
      try {
        await client.connect();
        const slot = (await client.call('CLUSTER', 'KEYSLOT', key)) as number;
        const shards = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
        const owner = shards.find(([from, to]) => slot >= from && slot <= to);
        if (owner) return owner[2][1];
      } catch {
        // try the next node
      } finally {
        client.disconnect();
      }
    }
    throw new Error(`no node knows the master of ${key}`);
  };

  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    masterOf,
    kill: (port) => killPort(children, port),
    async waitForFailover(key, formerPort, timeoutMs = 30_000) {
      return waitFor(
        async () => {
          const port = await masterOf(key);
          if (port === formerPort) return null;
          return (await clusterInfo(port)).includes('cluster_state:ok') ? port : null;
        },
        { timeoutMs, what: `a replica to take over ${key}'s slot from :${formerPort}` },
      );
    },
    stop: stopAll,
  };
}

async function killPort(children: Map<number, ChildProcess>, port: number): Promise<void> {
  const child = children.get(port);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

function probe(port: number): Redis {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // refused until the server is up: callers retry
  return client;
}

async function ping(port: number): Promise<boolean> {
  const client = probe(port);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    client.disconnect();
  }
}

async function clusterInfo(port: number): Promise<string> {
  const client = probe(port);
  try {
    await client.connect();
    return String(await client.call('CLUSTER', 'INFO'));
  } finally {
    client.disconnect();
  }
}

/** A replica's link to its master (`up` once in sync); null on a master. */
async function replicaLink(port: number): Promise<string | null> {
  const client = probe(port);
  try {
    await client.connect();
    const info = await client.info('replication');
    return /^role:slave/m.test(info) ? (/^master_link_status:(\w+)/m.exec(info)?.[1] ?? null) : null;
  } finally {
    client.disconnect();
  }
}
