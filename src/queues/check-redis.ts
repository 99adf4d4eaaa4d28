import { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { withTimeout } from '../with-timeout.js';
import { redisTargetOf } from './redis-connection.js';
import { redisUnreachable } from './redis-errors.js';

/**
 * Connects once to REDIS_URL (or the cluster of REDIS_CLUSTER_NODES) and
 * PINGs, within `timeoutMs`; REDIS_UNREACHABLE (naming the variable) when it
 * cannot. No retries: this is the up-front check.
 */
export async function checkRedis(
  config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>,
  timeoutMs: number,
): Promise<void> {
  const nodeOptions = {
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  };
  const nodes = config.REDIS_CLUSTER_NODES;
  const redis = nodes?.length
    ? new Cluster(nodes, { lazyConnect: true, redisOptions: nodeOptions, clusterRetryStrategy: () => null })
    : new Redis(config.REDIS_URL, { lazyConnect: true, ...nodeOptions });
  let lastError: unknown;
  redis.on('error', (err) => (lastError = err));
  try {
    await withTimeout(
      redis.connect().then(async () => {
        if (redis instanceof Cluster) {
          const info = String(await redis.cluster('INFO'));
          if (!info.includes('cluster_state:ok'))
            throw new Error('the cluster is not ok (cluster_state:fail)');
        }
        return redis.ping();
      }),
      timeoutMs + 1000,
      'Redis',
    );
  } catch (err) {
    const reason =
      (lastError as { code?: string } | undefined)?.code ??
      (err as { code?: string }).code ??
      errorMessage(err);
    throw redisUnreachable(redisTargetOf(config), reason, err);
  } finally {
    redis.disconnect();
    // A server that accepted and stays silent would keep the socket (and the process) for connectTimeout.
    if (redis instanceof Redis) redis.stream?.destroy();
    else for (const node of redis.nodes()) node.stream?.destroy();
  }
}
