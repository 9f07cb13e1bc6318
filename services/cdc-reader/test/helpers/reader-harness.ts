import { dropSlotAndPublication } from '@freshen/harness';
import type { CloseList, Logger } from '@freshen/runtime';
import {
  newKafkaAdmin,
  newPgClient,
  newSchema,
  stackSettings,
  uniqueName,
  waitFor,
} from '@freshen/test-kit';
import type { Admin } from '@platformatic/kafka';
import type pg from 'pg';
import { readReaderConfig, type ReaderConfig } from '../../src/config.ts';
import { startReader, type Reader } from '../../src/reader.ts';
import { collectEvents, type ReceivedEvent } from './collect-events.ts';
import { quietLogger } from './quiet-logger.ts';

export interface ReaderTest {
  db: pg.Client;
  admin: Admin;
  schema: string;
  slot: string;
  prefix: string;
  /** Environment for a reader of this test (child processes get it as env). */
  env: Record<string, string>;
  config(overrides?: Record<string, string>): ReaderConfig;
  start(overrides?: Record<string, string>, logger?: Logger): Promise<Reader>;
  topicOf(table: string): string;
  /** Creates the table's topic (deleted by cleanup) and collects its events from the beginning. */
  collect(table: string, partitions?: number): Promise<ReceivedEvent[]>;
}

/** A schema, slot/publication and topic prefix of this test's own, all removed by `cleanup`. */
export async function readerTest(cleanup: CloseList, tables: string[]): Promise<ReaderTest> {
  const db = await newPgClient(cleanup);
  const admin = await newKafkaAdmin(cleanup);
  const schema = await newSchema(cleanup, db, 'rdr');
  const slot = uniqueName('rdr');
  const prefix = uniqueName('rdr');
  cleanup.add(`drop slot ${slot}`, () => dropSlotAndPublication(db, slot));
  for (const ddl of tables) await db.query(ddl.replaceAll('$schema', schema));
  const settings = stackSettings();
  const env: Record<string, string> = {
    DATABASE_URL: settings.databaseUrl,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    SLOT_NAME: slot,
    PUBLICATION_NAME: slot,
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    METRICS_PORT: '0',
    LOCK_POLL_MS: '200',
    KAFKA_CONNECT_ATTEMPTS: '2',
  };
  // A publication for every table of the test's schema (FOR TABLES IN SCHEMA needs PG 15).
  await db.query(`create publication ${slot} for tables in schema ${schema}`);
  const config = (overrides: Record<string, string> = {}) =>
    readReaderConfig({ ...env, ...overrides }, process.cwd());
  return {
    db,
    admin,
    schema,
    slot,
    prefix,
    env,
    config,
    async start(overrides, logger = quietLogger) {
      const reader = await startReader(config(overrides), logger);
      cleanup.add(`reader ${slot}`, () => reader.close());
      await waitFor(() => reader.role === 'streaming', {
        description: `reader of ${slot} streaming`,
      });
      return reader;
    },
    topicOf: (table) => `${prefix}.${schema}.${table}`,
    async collect(table, partitions = 3) {
      const topic = `${prefix}.${schema}.${table}`;
      const events = await collectEvents(cleanup, settings.kafkaBrokers, topic, partitions);
      cleanup.add(`delete topic ${topic}`, () => admin.deleteTopics({ topics: [topic] }));
      return events;
    },
  };
}
