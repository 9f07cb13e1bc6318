import {
  boolean,
  ConfigError,
  hostPorts,
  integer,
  KAFKA_SECURITY_OPTIONS,
  kafkaSecurityOf,
  list,
  oneOf,
  OPS_HOST_OPTION,
  readConfig,
  redisTargetOf,
  REDIS_TARGET_OPTIONS,
  string,
  url,
  withStackEnv,
  type Env,
} from '@freshen/config';
import type { InvalidatorOptions } from './invalidator.ts';
import { SECOND } from '@freshen/runtime';

/** Every setting of the invalidator: variable name, default and meaning side by side. */
export const CONFIG_SCHEMA = {
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka bootstrap brokers, e.g. kafka-1:9092,kafka-2:9092.' }),
  ...KAFKA_SECURITY_OPTIONS,
  ...REDIS_TARGET_OPTIONS,
  REDIS_WAIT_REPLICAS: integer({
    default: 0,
    min: 0,
    max: 16,
    doc: 'Replicas that must confirm each batch (WAIT) before its offsets are committed; 1 or more with Sentinel, so that no acknowledged invalidation is lost in a failover.',
  }),
  REDIS_WAIT_TIMEOUT_MS: integer({
    default: SECOND,
    min: 10,
    max: 60 * SECOND,
    doc: 'How long WAIT waits for REDIS_WAIT_REPLICAS; fewer confirmations and the batch is retried.',
  }),
  GROUP_ID: string({
    default: 'freshen-invalidator',
    doc: 'Kafka consumer group; every instance of one deployment shares it.',
  }),
  TOPIC_PREFIX: string({
    default: 'freshen',
    pattern: /^[A-Za-z0-9._-]+$/,
    doc: 'Change topics are <prefix>.<schema>.<table>; with TOPICS unset every such topic is consumed, new ones within TOPIC_REFRESH_MS.',
  }),
  TOPICS: list({
    default: [],
    item: /^[A-Za-z0-9._-]+$/,
    doc: 'Consume exactly these topics instead of every <TOPIC_PREFIX>.* topic.',
  }),
  TOPIC_REFRESH_MS: integer({
    default: 30 * SECOND,
    min: SECOND,
    doc: 'How often to look for new topics under TOPIC_PREFIX.',
  }),
  DLQ_TOPIC: string({
    default: '',
    pattern: /^[A-Za-z0-9._-]*$/,
    doc: 'Dead-letter topic; default <TOPIC_PREFIX>.dlq. Created (1 partition) if missing.',
  }),
  SESSION_TIMEOUT_MS: integer({
    default: 10 * SECOND,
    min: 6 * SECOND,
    max: 5 * 60 * SECOND,
    doc: "Consumer group session timeout: how soon a crashed instance's partitions move to the others (within the broker's group.min/max.session.timeout.ms). Heartbeats go every tenth of it (at most 3 s).",
  }),
  WEDGED_AFTER_MS: integer({
    default: 2 * 60 * SECOND,
    min: 5 * SECOND,
    max: 24 * 60 * 60 * SECOND,
    doc: 'Work pending (a batch in hand or offsets to commit) and no progress for this long: /healthz answers 503 so that an orchestrator restarts the process.',
  }),
  TOMBSTONE_TTL_MS: integer({
    default: 10 * 60 * SECOND,
    min: 60 * SECOND,
    max: 24 * 60 * 60 * SECOND,
    doc: 'How long a deleted key that rules refresh keeps its version, so that an older refresh re-applied later (by an instance that lost its partition mid-batch) is refused. Costs about 100 bytes per such delete for this long. Also how long a removed structure member keeps its version, and a structure its TRUNCATE floor, refusing older changes.',
  }),
  COMMIT_INTERVAL_MS: integer({
    default: 100,
    min: 0,
    max: 60 * SECOND,
    doc: 'Least time between offset commits (each covers every partition done by then); a crash re-delivers at most this much more.',
  }),
  DLQ_REPLICATION_FACTOR: integer({
    default: 1,
    min: 1,
    max: 10,
    doc: 'Replication factor if the DLQ topic has to be created: 1 for a one-broker development cluster, 3 in production.',
  }),
  PARTITIONS_CONCURRENCY: integer({
    default: 8,
    min: 1,
    max: 256,
    doc: 'Partitions handled at once (each strictly in order).',
  }),
  SCAN_COUNT: integer({
    default: 1000,
    min: 10,
    max: 100_000,
    doc: 'SCAN COUNT hint used by truncates.',
  }),
  // Required: a default (the example rules) once ran app: keys for public.users in real
  // deployments and skipped the application's own tables without a word.
  RULES_MODULE: string({
    expected: 'a path (relative to the working directory) or package name',
    doc: 'Module whose default export is your RuleSet (export default defineRules(...)); required.',
  }),
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    default: '',
    secret: true,
    doc: 'Postgres, used only by VALIDATE_RULES.',
  }),
  VALIDATE_RULES: boolean({
    default: false,
    doc: 'Check the rules against the live schema (DATABASE_URL) at start; refuse to start on a mismatch.',
  }),
  VALIDATE_PUBLICATION: string({
    default: '',
    doc: "With VALIDATE_RULES: also check that every rule table is in this publication (the cdc-reader's).",
  }),
  METRICS_PORT: integer({
    default: 9464,
    min: 0,
    max: 65535,
    doc: 'Port of /metrics, /healthz and /readyz (0 picks a free one).',
  }),
  OPS_HOST: OPS_HOST_OPTION,
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    doc: 'pino log level.',
  }),
};

/**
 * Reads and validates the configuration once, at start. The local stack's `.stack/env` fills
 * variables that are not set (development); set variables always win. Throws ConfigError
 * naming every bad variable.
 */
export function readInvalidatorConfig(env: Env = withStackEnv(process.env, process.cwd())) {
  const raw = readConfig(CONFIG_SCHEMA, env);
  const problems: string[] = [];
  const redis = redisTargetOf(raw);
  if ('problem' in redis) problems.push(redis.problem);
  const kafkaSecurity = kafkaSecurityOf(raw);
  if ('problems' in kafkaSecurity) problems.push(...kafkaSecurity.problems);
  if (raw.VALIDATE_RULES && raw.DATABASE_URL === '') {
    problems.push(
      'VALIDATE_RULES=true needs DATABASE_URL. Set it to the source database, or set VALIDATE_RULES=false',
    );
  }
  if (problems.length > 0 || 'problem' in redis || 'problems' in kafkaSecurity)
    throw new ConfigError(problems);
  // What startInvalidator takes (its InvalidatorOptions documents each), then what main.ts
  // needs before starting it.
  const service = {
    kafkaBrokers: raw.KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurity.security,
    redis: redis.target,
    redisWaitReplicas: { replicas: raw.REDIS_WAIT_REPLICAS, timeoutMs: raw.REDIS_WAIT_TIMEOUT_MS },
    groupId: raw.GROUP_ID,
    topics: raw.TOPICS.length > 0 ? raw.TOPICS : { prefix: raw.TOPIC_PREFIX },
    topicRefreshMs: raw.TOPIC_REFRESH_MS,
    dlqTopic: raw.DLQ_TOPIC || `${raw.TOPIC_PREFIX}.dlq`,
    dlqReplicationFactor: raw.DLQ_REPLICATION_FACTOR,
    partitionsConcurrency: raw.PARTITIONS_CONCURRENCY,
    sessionTimeoutMs: raw.SESSION_TIMEOUT_MS,
    wedgedAfterMs: raw.WEDGED_AFTER_MS,
    tombstoneTtlMs: raw.TOMBSTONE_TTL_MS,
    commitIntervalMs: raw.COMMIT_INTERVAL_MS,
    scanCount: raw.SCAN_COUNT,
    metricsPort: raw.METRICS_PORT,
    opsHost: raw.OPS_HOST,
  } satisfies Omit<InvalidatorOptions, 'rules' | 'logger'>;
  return {
    service,
    rulesModule: raw.RULES_MODULE,
    validation: raw.VALIDATE_RULES
      ? { databaseUrl: raw.DATABASE_URL, publication: raw.VALIDATE_PUBLICATION }
      : undefined,
    logLevel: raw.LOG_LEVEL,
  };
}

export type InvalidatorConfig = ReturnType<typeof readInvalidatorConfig>;
