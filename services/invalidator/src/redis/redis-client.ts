import { SECOND } from '@freshen/runtime';
import { Cluster, Redis } from 'ioredis';

import type { RedisTarget } from '@freshen/config';

export type { RedisTarget };

/**
 * A client that fails fast instead of queueing while Redis is away (no offline queue, one
 * try per command, a command timeout): the batch processor owns retries, pauses fetching
 * meanwhile, and never commits past work Redis did not acknowledge. Call `connect()` before use.
 */
export function createRedisClient(target: RedisTarget): Redis | Cluster {
  const common = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 5 * SECOND,
    connectTimeout: 2 * SECOND,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2 * SECOND),
  };
  if ('url' in target) return new Redis(target.url, common);
  return new Cluster(target.clusterNodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    redisOptions: {
      maxRetriesPerRequest: 0,
      commandTimeout: common.commandTimeout,
      connectTimeout: common.connectTimeout,
    },
    clusterRetryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2 * SECOND),
  });
}
