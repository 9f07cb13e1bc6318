import { SECOND } from '@freshen/runtime';
import { createRedisClient, type RedisClient, type RedisTarget } from '@freshen/redis-client';

export type { RedisTarget };

/**
 * A client that fails fast instead of queueing while Redis is away (no offline queue, one
 * try per command, a command timeout): the batch processor owns retries, pauses fetching
 * meanwhile, and never commits past work Redis did not acknowledge. Call `connect()` before use.
 */
export function createInvalidatorRedisClient(target: RedisTarget): RedisClient {
  return createRedisClient(target, {
    node: {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 5 * SECOND,
      connectTimeout: 2 * SECOND,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2 * SECOND),
    },
    cluster: {
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 2 * SECOND),
    },
  });
}
