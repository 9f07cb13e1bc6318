import type { RedisTarget } from '@freshen/config';
import { FreshenError, SECOND } from '@freshen/runtime';
import {
  createRedisClient,
  type RedisClient,
  type RedisClientTuning,
} from './create-redis-client.ts';
import { describeTarget, redisRefusalOf, tlsMismatchOf } from './redis-refusal.ts';

export interface ConnectRedisOptions extends RedisClientTuning {
  /** How long to wait for the first ready connection. Default 10 s. */
  readyTimeoutMs?: number;
}

function errorText(error: unknown): string {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * A client of `target` that is ready to use, for commands and applications (the warm command,
 * the example API, `CacheClient.connect`). Instead of ioredis's endless reconnecting, a refusal
 * that retrying cannot fix (wrong password, untrusted certificate, wrong host name, TLS
 * against a plain server) or no ready connection within the timeout rejects with one
 * FreshenError whose message names the cause and the fix; the client is closed then.
 */
export async function connectRedis(
  target: RedisTarget,
  options: ConnectRedisOptions = {},
): Promise<RedisClient> {
  const { readyTimeoutMs = 10 * SECOND, ...tuning } = options;
  const redis = createRedisClient(target, {
    ...tuning,
    node: { ...tuning.node, lazyConnect: true },
    cluster: { ...tuning.cluster, lazyConnect: true },
  });
  let lastError: unknown;
  let onError: ((error: unknown) => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        void tlsMismatchOf(lastError, target).then((mismatch) => {
          const { where } = describeTarget(target);
          reject(
            new FreshenError(
              mismatch ? 'REDIS_REFUSED' : 'REDIS_UNAVAILABLE',
              mismatch?.message ??
                `Redis at ${where} was not ready within ${readyTimeoutMs} ms (${lastError === undefined ? 'no answer' : errorText(lastError)}): check that it runs and that REDIS_* name it`,
              { cause: lastError },
            ),
          );
        });
      }, readyTimeoutMs);
      onError = (error: unknown) => {
        lastError = error;
        const refusal = redisRefusalOf(error, target);
        if (!refusal) return;
        clearTimeout(timer);
        reject(new FreshenError('REDIS_REFUSED', refusal.message, { cause: error }));
      };
      redis.on('error', onError);
      // A Cluster client reports each node's failures (WRONGPASS, TLS) as 'node error'.
      redis.on('node error', onError);
      redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      redis.connect().catch((error: unknown) => (lastError ??= error));
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  } finally {
    // From here the caller's own listener (logClientErrors, say) reports errors.
    if (onError) redis.off('error', onError).off('node error', onError);
  }
  return redis;
}
