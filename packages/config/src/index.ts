export { ConfigError } from './config-error.ts';
export type { ConfigOf, Option, Schema } from './option.ts';
export { boolean, hostPorts, integer, list, oneOf, string, url } from './options/builders.ts';
export { describeConfig, readConfig } from './read-config.ts';
export type { Env } from './option.ts';
export { redactSecrets, redactUrl } from './redact.ts';
export { OPS_HOST_OPTION } from './ops-host.ts';
export {
  KAFKA_SECURITY_OPTIONS,
  kafkaSecurityOf,
  SASL_MECHANISMS,
  type KafkaSecurity,
  type SaslMechanism,
} from './kafka-security.ts';
export { findStackEnvFile, parseDotenv, withStackEnv } from './stack-env.ts';
export {
  REDIS_TARGET_OPTIONS,
  redisTargetOf,
  toHostPort,
  type HostPort,
  type RedisAuth,
  type RedisTarget,
  type RedisTls,
  type RedisTopology,
} from './redis-target.ts';
export { FRESHEN_PREFIXES, FRESHEN_VARIABLES } from './variables/known-variables.ts';
export { isOrdinaryVariable } from './variables/ordinary-variables.ts';
export {
  IGNORE_VARIABLE,
  unknownVariableProblems,
  unlistedVariables,
} from './variables/unknown-variables.ts';
