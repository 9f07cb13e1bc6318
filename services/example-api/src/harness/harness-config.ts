import { hostPorts, integer, readConfig, url, withStackEnv, type Env } from '@freshen/config';

/** Where the whole pipeline runs: shared by the consistency checker and the demo. */
export const PIPELINE_STACK_OPTIONS = {
  DATABASE_URL: url({
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
    doc: 'Postgres (wal_level=logical).',
  }),
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka bootstrap brokers.' }),
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], secret: true, doc: 'Redis (standalone).' }),
};

/** Settings of the consistency checker: the stack, and the workload's shape. */
export const HARNESS_CONFIG_SCHEMA = {
  ...PIPELINE_STACK_OPTIONS,
  CHECK_DURATION_SECONDS: integer({
    default: 10,
    min: 1,
    max: 3600,
    doc: 'How long each mode runs its workload.',
  }),
  CHECK_READERS: integer({ default: 16, min: 1, max: 1000, doc: 'Concurrent reading loops.' }),
  CHECK_WRITERS: integer({ default: 4, min: 1, max: 1000, doc: 'Concurrent writing loops.' }),
  CHECK_WRITE_PAUSE_MS: integer({
    default: 20,
    min: 0,
    max: 10_000,
    doc: 'Each writer pauses up to this long between writes, so the pipeline keeps up (a backlog hides the race).',
  }),
  CHECK_LOAD_DELAY_MS: integer({
    default: 200,
    min: 0,
    max: 10_000,
    doc: 'Each loader is held up to this long after reading its row (a slow query), widening the race window.',
  }),
};

export interface HarnessConfig {
  databaseUrl: string;
  kafkaBrokers: string[];
  redisUrl: string;
  durationMs: number;
  readers: number;
  writers: number;
  loadDelayMs: number;
  writePauseMs: number;
}

/** Reads the environment once (the local stack's .stack/env fills unset variables). */
export function readHarnessConfig(
  env: Env = withStackEnv(process.env, process.cwd()),
): HarnessConfig {
  const raw = readConfig(HARNESS_CONFIG_SCHEMA, env);
  return {
    databaseUrl: raw.DATABASE_URL,
    kafkaBrokers: raw.KAFKA_BROKERS,
    redisUrl: raw.REDIS_URL,
    durationMs: raw.CHECK_DURATION_SECONDS * 1000,
    readers: raw.CHECK_READERS,
    writers: raw.CHECK_WRITERS,
    loadDelayMs: raw.CHECK_LOAD_DELAY_MS,
    writePauseMs: raw.CHECK_WRITE_PAUSE_MS,
  };
}
