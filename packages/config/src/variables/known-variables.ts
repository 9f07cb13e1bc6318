/**
 * Every environment variable any Freshen service, command, benchmark or test reads. The
 * unknown-variable check accepts each of these in every process, so one env file can be
 * shared by all of them (the reader does not trip over the invalidator's GROUP_ID).
 *
 * A new setting must be added here as well as to its schema; each service's config test
 * checks that its schema has no name missing from this list.
 */
export const FRESHEN_VARIABLES: readonly string[] = [
  // shared by the services
  'DATABASE_URL',
  'KAFKA_BROKERS',
  'KAFKA_TLS',
  'KAFKA_TLS_CA_FILE',
  'KAFKA_TLS_CERT_FILE',
  'KAFKA_TLS_KEY_FILE',
  'KAFKA_TLS_VERIFY_SERVER_NAME',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_SASL_PASSWORD_FILE',
  'KAFKA_SASL_TOKEN_FILE',
  'REDIS_MODE',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'TOPIC_PREFIX',
  'RULES_MODULE',
  'METRICS_PORT',
  'OPS_HOST',
  'LOG_LEVEL',
  'FRESHEN_IGNORE_VARIABLES',
  'WEDGED_AFTER_MS',
  'TOMBSTONE_TTL_MS',
  // cdc-reader
  'SLOT_NAME',
  'PUBLICATION_NAME',
  'PUBLICATION_TABLES',
  'TOPIC_TEMPLATE',
  'TOPIC_PARTITIONS',
  'TOPIC_REPLICATION_FACTOR',
  'BATCH_MAX_EVENTS',
  'BATCH_MAX_BYTES',
  'MAX_EVENT_BYTES',
  'MAX_IN_FLIGHT_EVENTS',
  'MAX_IN_FLIGHT_BYTES',
  'STATUS_INTERVAL_MS',
  'LOCK_POLL_MS',
  'KAFKA_CONNECT_ATTEMPTS',
  'FRESHEN_UNSAFE_CONFIRM_ON_RECEIPT',
  // invalidator
  'GROUP_ID',
  'TOPICS',
  'TOPIC_REFRESH_MS',
  'DLQ_TOPIC',
  'DLQ_REPLICATION_FACTOR',
  'SESSION_TIMEOUT_MS',
  'COMMIT_INTERVAL_MS',
  'PARTITIONS_CONCURRENCY',
  'SCAN_COUNT',
  'VALIDATE_RULES',
  'VALIDATE_PUBLICATION',
  // example-api
  'PG_SCHEMA',
  'PG_POOL_SIZE',
  'KEY_PREFIX',
  'CACHE_TTL_MS',
  'CACHE_LEASES',
  'PORT',
  // commands: demo, consistency checker, the example rules module, the local stack
  'DEMO_DURATION_SECONDS',
  'DEMO_API_PORT',
  'CHECK_DURATION_SECONDS',
  'CHECK_READERS',
  'CHECK_WRITERS',
  'CHECK_WRITE_PAUSE_MS',
  'CHECK_LOAD_DELAY_MS',
  'EXAMPLE_RULES_SCHEMA',
  'EXAMPLE_RULES_KEY_PREFIX',
  'FRESHEN_PG_PORT',
  'FRESHEN_PG_OS_USER',
  'FRESHEN_REDIS_PORT',
  'FRESHEN_REDIS_CLUSTER_BASE',
  'FRESHEN_KAFKA_PORT',
  'FRESHEN_KAFKA_CONTROLLER_PORT',
  'FRESHEN_STACK_DIR',
  // tests and benchmarks (they spawn the services with their own environment)
  'FRESHEN_TEST_CONFIRM_ON_RECEIPT',
  'TEST_KEY_PREFIX',
  'TEST_LOG_LEVEL',
  'WARM_TEST_PREFIX',
  'BENCH_ONLY',
  'READER_NODE_ARGS',
];

/**
 * Name prefixes that only Freshen's variables use in a Freshen process: an unknown name that
 * starts with one (REDIS_PASSWORD, KAFKA_BROKER) is taken for a mistake. Deliberately not
 * DATABASE_, PG_, CACHE_ or LOG_, which applications sharing the environment use too.
 */
export const FRESHEN_PREFIXES: readonly string[] = [
  'FRESHEN_',
  'KAFKA_',
  'REDIS_',
  'SLOT_',
  'PUBLICATION_',
  'TOPIC_',
  'DLQ_',
  'RULES_',
  'OPS_',
  'METRICS_',
];
