import {
  ConfigError,
  readConfig,
  REDIS_TARGET_OPTIONS,
  redisTargetOf,
  type Env,
  type RedisTarget,
} from '@freshen/config';

/**
 * The REDIS_* variables (REDIS_TARGET_OPTIONS) of `env` as a target, for a command or an
 * application that reads nothing else; throws ConfigError naming every bad variable.
 */
export function readRedisTarget(env: Env): RedisTarget {
  const redis = redisTargetOf(readConfig(REDIS_TARGET_OPTIONS, env));
  if ('problem' in redis) throw new ConfigError([redis.problem]);
  return redis.target;
}
