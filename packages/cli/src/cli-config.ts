import {
  ConfigError,
  hostPorts,
  KAFKA_SECURITY_OPTIONS,
  kafkaSecurityOf,
  type KafkaSecurity,
  readConfig,
  REDIS_TARGET_OPTIONS,
  redisTargetOf,
  string,
  url,
  withStackEnv,
  type Env,
  type RedisTarget,
} from '@freshen/config';
import type { KafkaConnection } from '@freshen/kafka';
import { SECOND } from '@freshen/runtime';

/**
 * The environment of every `freshen` subcommand: the same variables, with the same defaults,
 * as the services read, so one env file serves both (flags override per run). The local
 * stack's .stack/env fills what is unset.
 */
const schema = {
  DATABASE_URL: url({
    doc: 'Postgres connection URL of the database the rules run against',
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
  }),
  KAFKA_BROKERS: hostPorts({
    default: [],
    doc: 'Kafka bootstrap brokers, e.g. kafka-1:9092,kafka-2:9092 (status, tail, dlq).',
  }),
  ...KAFKA_SECURITY_OPTIONS,
  ...REDIS_TARGET_OPTIONS,
  TOPIC_PREFIX: string({
    default: 'freshen',
    pattern: /^[A-Za-z0-9._-]+$/,
    doc: 'Change topics are <prefix>.<schema>.<table> (as the services).',
  }),
  GROUP_ID: string({
    default: 'freshen-invalidator',
    doc: "The invalidators' consumer group (status).",
  }),
  DLQ_TOPIC: string({ default: '', doc: 'Dead-letter topic; default <TOPIC_PREFIX>.dlq.' }),
  SLOT_NAME: string({ default: 'freshen', doc: "The reader's replication slot (status)." }),
  RULES_MODULE: string({
    default: '',
    doc: 'The rules module the invalidator runs (explain, tail, dlq replay, backfill); --rules overrides.',
  }),
};

export interface CliConfig {
  /** Undefined when DATABASE_URL is unset: only the commands that need Postgres ask for it. */
  databaseUrl: string | undefined;
  kafkaBrokers: string[];
  /** TLS and SASL to Kafka (the services' KAFKA_TLS_* / KAFKA_SASL_* settings). */
  kafkaSecurity: KafkaSecurity | undefined;
  redis: RedisTarget;
  topicPrefix: string;
  groupId: string;
  dlqTopic: string;
  slotName: string;
  rulesModule: string;
}

/** Reads the commands' environment once; ConfigError lists every problem. */
export function readCliConfig(env: Env, cwd: string): CliConfig {
  const withStack = withStackEnv(env, cwd);
  const raw = readConfig(
    { ...schema, DATABASE_URL: { ...schema.DATABASE_URL, default: '' } },
    withStack,
  );
  const redis = redisTargetOf(raw);
  const kafkaSecurity = kafkaSecurityOf(raw);
  const problems = [
    ...('problem' in redis ? [redis.problem] : []),
    ...('problems' in kafkaSecurity ? kafkaSecurity.problems : []),
  ];
  if (problems.length > 0 || 'problem' in redis || 'problems' in kafkaSecurity)
    throw new ConfigError(problems);
  return {
    databaseUrl: raw.DATABASE_URL === '' ? undefined : raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurity.security,
    redis: redis.target,
    topicPrefix: raw.TOPIC_PREFIX,
    groupId: raw.GROUP_ID,
    dlqTopic: raw.DLQ_TOPIC || `${raw.TOPIC_PREFIX}.dlq`,
    slotName: raw.SLOT_NAME,
    rulesModule: raw.RULES_MODULE,
  };
}

/** The database URL, or a ConfigError saying how to give one. */
export function requireDatabase(config: CliConfig): string {
  if (config.databaseUrl === undefined)
    throw new ConfigError([
      'DATABASE_URL is not set. Set it to the Postgres URL the pipeline reads, e.g. postgres://user@host:5432/db',
    ]);
  return config.databaseUrl;
}

/** Where and as whom to reach Kafka, or a ConfigError saying how to give the brokers. */
export function requireKafka(config: CliConfig): KafkaConnection {
  if (config.kafkaBrokers.length === 0)
    throw new ConfigError(['KAFKA_BROKERS is not set. Set it to host:port[,host:port...]']);
  return {
    brokers: config.kafkaBrokers,
    clientId: 'freshen-cli',
    connectTimeoutMs: 5 * SECOND,
    ...(config.kafkaSecurity && { security: config.kafkaSecurity }),
  };
}

/** The rules module named by --rules, else RULES_MODULE, or a ConfigError. */
export function requireRules(config: CliConfig, flag: string | undefined): string {
  const rules = flag ?? config.rulesModule;
  if (rules === '')
    throw new ConfigError([
      'no rules module: pass --rules <module> or set RULES_MODULE (the one the invalidator runs)',
    ]);
  return rules;
}
