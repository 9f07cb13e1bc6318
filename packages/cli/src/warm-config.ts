import { withStackEnv, type Env } from '@freshen/config';
import { readRedisTarget, type RedisTarget } from '@freshen/redis-client';

export type WarmRedisConfig = RedisTarget;

/**
 * Reads the CLI's environment once: the same REDIS_* variables as the services (the local
 * stack's .stack/env fills unset variables).
 */
export function readWarmConfig(
  env: Env = withStackEnv(process.env, process.cwd()),
): WarmRedisConfig {
  return readRedisTarget(env);
}
