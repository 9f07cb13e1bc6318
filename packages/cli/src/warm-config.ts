import {
  ConfigError,
  readConfig,
  redisTargetOf,
  REDIS_TARGET_OPTIONS,
  type RedisTarget,
  withStackEnv,
  type Env,
} from '@freshen/config';

/** Redis settings of the warming CLI; same variables as the services. */
export const WARM_CONFIG_SCHEMA = {
  ...REDIS_TARGET_OPTIONS,
};

export type WarmRedisConfig = RedisTarget;

/** Reads the CLI's environment once (the local stack's .stack/env fills unset variables). */
export function readWarmConfig(
  env: Env = withStackEnv(process.env, process.cwd()),
): WarmRedisConfig {
  const redis = redisTargetOf(readConfig(WARM_CONFIG_SCHEMA, env));
  if ('problem' in redis) throw new ConfigError([redis.problem]);
  return redis.target;
}
