import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ClusterNode, Config } from '../config.js';

/** A single Redis or a Redis Cluster: what queues, workers and the rate budgets take. */
export type RedisClient = Redis | Cluster;

/** Where Redis is, for messages: the variable that names it and `host:port`(s), never a password. */
export interface RedisTarget {
  variable: 'REDIS_URL' | 'REDIS_CLUSTER_NODES';
  where: string;
}

export function redisTargetOf(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>): RedisTarget {
  const nodes = config.REDIS_CLUSTER_NODES;
  if (nodes?.length) return { variable: 'REDIS_CLUSTER_NODES', where: nodes.map(nodeLabel).join(',') };
  return { variable: 'REDIS_URL', where: urlTarget(config.REDIS_URL) };
}

/** Where a Redis URL points, without its password: `host:port`. */
export function urlTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'REDIS_URL';
  }
}

function nodeLabel(node: ClusterNode): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

/**
 * The ioredis connection for BullMQ and the rate budgets: a `Cluster` over
 * REDIS_CLUSTER_NODES when set, else one `Redis` at REDIS_URL. Workers need
 * `maxRetriesPerRequest: null` (blocking commands must wait out a restart or a
 * failover rather than fail). `options` are the per-node options; with a
 * cluster, `lazyConnect` and `retryStrategy` apply to the cluster as a whole.
 */
export function createRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  options: RedisOptions = {},
): RedisClient {
  const nodes = config.REDIS_CLUSTER_NODES;
  if (!nodes?.length) {
    return new Redis(config.REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
  }
  const { lazyConnect, retryStrategy, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    enableReadyCheck: true,
    lazyConnect,
    redisOptions: { maxRetriesPerRequest: null, ...nodeOptions },
    // While a replica takes over a killed master (cluster-node-timeout, 15 s by default, plus the
    // election), commands wait and retry rather than fail: up to 100 tries 300 ms apart.
    retryDelayOnFailover: 300,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 300,
    maxRedirections: 100,
    // A failover moves slots: learn the new map soon even without a MOVED reply.
    slotsRefreshInterval: 2000,
  };
  if (retryStrategy) clusterOptions.clusterRetryStrategy = (times) => retryStrategy(times) ?? null;
  return new Cluster(nodes, clusterOptions);
}
