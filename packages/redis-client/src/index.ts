export type { RedisAuth, RedisTarget, RedisTls, RedisTopology } from '@freshen/config';
export { connectRedis, type ConnectRedisOptions } from './connect-redis.ts';
export {
  createRedisClient,
  type RedisClient,
  type RedisClientTuning,
} from './create-redis-client.ts';
export { readRedisTarget } from './read-redis-target.ts';
export {
  describeTarget,
  freshenAclRule,
  REDIS_COMMANDS_NEEDED,
  redisRefusalOf,
  tlsMismatchOf,
  type RedisRefusal,
  type RedisRefusalCause,
} from './redis-refusal.ts';
