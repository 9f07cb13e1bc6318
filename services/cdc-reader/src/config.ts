import {
  boolean,
  ConfigError,
  hostPorts,
  KAFKA_SECURITY_OPTIONS,
  kafkaSecurityOf,
  integer,
  list,
  oneOf,
  OPS_HOST_OPTION,
  readConfig,
  string,
  url,
  withStackEnv,
  type ConfigOf,
  type Env,
  type KafkaSecurity,
} from '@freshen/config';
import { PUBLISHER_THREADS } from '@freshen/kafka/publishing';
import { DEFAULT_TOPIC_TEMPLATE } from './publishing/topic-naming.ts';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Every setting of cdc-reader: environment variable → parser, default and what it does. */
export const readerConfigSchema = {
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
    doc: 'Postgres to read (wal_level=logical; the role needs REPLICATION).',
  }),
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka bootstrap brokers.' }),
  ...KAFKA_SECURITY_OPTIONS,
  SLOT_NAME: string({
    pattern: NAME,
    default: 'freshen',
    expected: 'a slot name ([a-z0-9_], up to 63)',
    doc: 'Logical replication slot (created on first start; never re-created).',
  }),
  PUBLICATION_NAME: string({
    pattern: NAME,
    default: 'freshen',
    expected: 'a publication name ([a-z0-9_], up to 63)',
    doc: 'Publication to stream (created if absent).',
  }),
  PUBLICATION_TABLES: list({
    item: /^[A-Za-z_][A-Za-z0-9_$]*\.[A-Za-z_][A-Za-z0-9_$]*$/,
    default: [],
    doc: 'schema.table list the publication is created for (with the tables of RULES_MODULE). Only used when creating it; never FOR ALL TABLES.',
  }),
  RULES_MODULE: string({
    default: '',
    doc: "Path (or package name) of the invalidator's rules module: a missing publication is created for the tables its RuleSet names.",
  }),
  TOPIC_PREFIX: string({
    pattern: /^[a-zA-Z0-9._-]+$/,
    default: 'freshen',
    doc: 'Prefix of topic names ({prefix} in TOPIC_TEMPLATE).',
  }),
  TOPIC_TEMPLATE: string({
    pattern: /\{table\}|^[^{}]+$/,
    default: DEFAULT_TOPIC_TEMPLATE,
    expected: 'a template using {prefix}, {schema}, {table}',
    doc: "Topic of a table's events.",
  }),
  TOPIC_PARTITIONS: integer({
    min: 1,
    max: 10_000,
    default: 6,
    doc: 'Partitions of topics the reader creates.',
  }),
  TOPIC_REPLICATION_FACTOR: integer({
    min: 1,
    max: 10,
    default: 1,
    doc: 'Replication factor of topics the reader creates (3 in production).',
  }),
  BATCH_MAX_EVENTS: integer({
    min: 1,
    max: 100_000,
    default: 1_000,
    doc: 'Most events in one Kafka produce request.',
  }),
  BATCH_MAX_BYTES: integer({
    min: 1024,
    max: 64 * 1024 * 1024,
    default: 900 * 1024,
    doc: "Most bytes in one produce request (below the broker's message.max.bytes).",
  }),
  MAX_EVENT_BYTES: integer({
    min: 1024,
    max: 64 * 1024 * 1024,
    // The broker's default message.max.bytes is 1 MiB (1048588); half leaves room for the
    // record batch overhead and for topics a little below the default.
    default: 512 * 1024,
    doc: 'Largest change event published whole; larger ones leave out their largest values (listed as unavailable). Capped at BATCH_MAX_BYTES.',
  }),
  PUBLISH_THREAD: oneOf(PUBLISHER_THREADS, {
    default: 'worker',
    doc: "Where the Kafka producer runs: 'worker' (its own thread, so encoding record batches uses another core than decoding the slot) or 'main' (one thread; for a one-core container).",
  }),
  MAX_IN_FLIGHT_EVENTS: integer({
    min: 1,
    default: 10_000,
    doc: 'Events received but not acknowledged by Kafka before the reader stops reading the slot.',
  }),
  MAX_IN_FLIGHT_BYTES: integer({
    min: 1024,
    default: 8 * 1024 * 1024,
    doc: 'Bytes received but not acknowledged by Kafka before the reader stops reading the slot.',
  }),
  STATUS_INTERVAL_MS: integer({
    min: 100,
    max: 60_000,
    default: 10_000,
    doc: 'Standby status (confirm + keepalive request) interval; keeps an idle slot moving.',
  }),
  LOCK_POLL_MS: integer({
    min: 100,
    max: 60_000,
    default: 1_000,
    doc: "How often a standby tries to take the slot's advisory lock.",
  }),
  KAFKA_CONNECT_ATTEMPTS: integer({
    min: 0,
    max: 1_000_000,
    default: 0,
    doc: 'Connection attempts to Kafka at start before exiting with KAFKA_UNAVAILABLE; 0 = keep retrying (capped backoff, /readyz 503).',
  }),
  WEDGED_AFTER_MS: integer({
    min: 1_000,
    max: 24 * 60 * 60 * 1000,
    default: 3 * 60 * 1000,
    doc: 'With events in flight and no Kafka acknowledgement for this long, /healthz turns 503 (wedged: restart me).',
  }),
  METRICS_PORT: integer({
    min: 0,
    max: 65_535,
    default: 9464,
    doc: 'Port of /metrics, /healthz and /readyz (0 = any free port).',
  }),
  OPS_HOST: OPS_HOST_OPTION,
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    doc: 'pino log level.',
  }),
  // Test-only: confirms positions on receipt, which LOSES changes on a crash. It exists so the
  // loss test can show that it detects exactly that. Deliberately undocumented for users.
  FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT: boolean({ default: false, doc: 'Test only. Never set.' }),
};

export type ReaderConfig = ConfigOf<typeof readerConfigSchema> & {
  /** TLS and SASL to the brokers, from the KAFKA_TLS* and KAFKA_SASL_* settings. */
  readonly kafkaSecurity: KafkaSecurity | undefined;
};

/** Reads and validates the configuration once (process.env + .stack/env for local runs). */
export function readReaderConfig(env: Env = process.env, cwd = process.cwd()): ReaderConfig {
  const raw = readConfig(readerConfigSchema, withStackEnv(env, cwd));
  const security = kafkaSecurityOf(raw);
  if ('problems' in security) throw new ConfigError(security.problems);
  return { ...raw, kafkaSecurity: security.security };
}
