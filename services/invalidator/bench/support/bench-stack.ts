import { randomBytes } from 'node:crypto';
import { createKafkaAdmin, ensureTopics } from '@freshen/kafka';
import { defineKeyspace, type KeyKind } from '@freshen/keys';
import { defineRules, invalidate, tableRule, type RuleSet } from '@freshen/rules';
import { CloseList, createLogger } from '@freshen/runtime';
import { stackSettings } from '@freshen/test-kit';
import { Redis } from 'ioredis';
import pg from 'pg';

export const quiet = createLogger('bench', { level: 'warn' });

export const benchName = (prefix: string) => `${prefix}_${randomBytes(3).toString('hex')}`;

/**
 * One isolated bench setup: a schema with `items(id int primary key, v int)` seeded with
 * `rows` rows, a publication for it, two pgoutput slots created BEFORE any backlog is written
 * (one for the pipeline's reader, one for pg_recvlogical, so both see identical WAL), the
 * reader's topic, a key prefix and rules that delete `item:<id>` on every change.
 */
export interface BenchTable {
  db: pg.Client;
  redis: Redis;
  schema: string;
  publication: string;
  pipelineSlot: string;
  floorSlot: string;
  topicPrefix: string;
  topic: string;
  keyPrefix: string;
  item: KeyKind<'item', readonly ['id']>;
  rules: RuleSet;
  cleanup: CloseList;
}

export async function createBenchTable(
  name: string,
  rows: number,
  partitions = 6,
): Promise<BenchTable> {
  const settings = stackSettings();
  const cleanup = new CloseList();
  const db = new pg.Client({ connectionString: settings.databaseUrl });
  await db.connect();
  cleanup.add('db', () => db.end());
  const schema = benchName(`bench_${name}`);
  const publication = schema;
  const pipelineSlot = `${schema}_pipe`;
  const floorSlot = `${schema}_floor`;
  await db.query(`create schema ${schema}`);
  cleanup.add('schema', () => db.query(`drop schema if exists ${schema} cascade`));
  await db.query(`create table ${schema}.items (id int primary key, v int not null)`);
  await db.query(`insert into ${schema}.items select g, 0 from generate_series(1, $1) g`, [rows]);
  await db.query(`create publication ${publication} for table ${schema}.items`);
  cleanup.add('publication', () => db.query(`drop publication if exists ${publication}`));
  for (const slot of [pipelineSlot, floorSlot]) {
    await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    cleanup.add(`slot ${slot}`, async () => {
      await db.query(
        'select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null',
        [slot],
      );
      for (let attempt = 0; attempt < 50; attempt++) {
        try {
          await db.query(
            'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1',
            [slot],
          );
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
  }

  const topicPrefix = schema;
  const topic = `${topicPrefix}.${schema}.items`;
  const admin = createKafkaAdmin({ brokers: settings.kafkaBrokers, clientId: 'bench' });
  await ensureTopics(admin, [
    { topic, numPartitions: partitions },
    { topic: `${topicPrefix}.dlq`, numPartitions: 1 },
  ]);
  cleanup.add('topics', async () => {
    await admin.deleteTopics({ topics: [topic, `${topicPrefix}.dlq`] }).catch(() => {});
    await admin.close();
  });

  const redis = new Redis(settings.redisUrl);
  cleanup.add('redis', () => redis.quit());
  const keyPrefix = schema.replace(/_/g, '-');
  const item = defineKeyspace({ prefix: keyPrefix }).kind('item', ['id'] as const);
  cleanup.add('keys', () => unlinkMatching(redis, [`${keyPrefix}:*`, `{${keyPrefix}:*`]));
  const rules = defineRules(
    tableRule(`${schema}.items`, {
      reads: ['id'],
      produces: [item],
      *keys({ new: row, old }) {
        yield invalidate(item, { id: (row ?? old)!.id });
      },
    }),
  );
  return {
    db,
    redis,
    schema,
    publication,
    pipelineSlot,
    floorSlot,
    topicPrefix,
    topic,
    keyPrefix,
    item,
    rules,
    cleanup,
  };
}

/** Sets `item:<id>` for ids 1..rows, so the pipeline has something to delete. */
export async function fillKeys(bench: BenchTable, rows: number): Promise<void> {
  for (let start = 1; start <= rows; start += 5000) {
    const args: string[] = [];
    for (let id = start; id < Math.min(start + 5000, rows + 1); id++)
      args.push(bench.item.key({ id }), 'cached');
    await bench.redis.mset(...args);
  }
}

export async function countMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    count += keys.length;
    cursor = next;
  } while (cursor !== '0');
  return count;
}

async function unlinkMatching(redis: Redis, patterns: string[]): Promise<void> {
  for (const pattern of patterns) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

/** Rows the single-row backlog updates round-robin (as the reader benchmark does). */
export const SINGLE_ROW_TABLE_ROWS = 1000;

/**
 * The reader benchmark's two backlogs (services/cdc-reader/bench/reader-bench.ts), written
 * after the slots exist: `single-row` = `rows` single-row UPDATE transactions cycling over
 * 1000 rows; `hundred-row` = `rows` rows INSERTed 100 per transaction (ids 1..rows, so
 * `item:<id>` keys filled beforehand are what the pipeline must delete). Returns rows changed.
 */
export async function writeBacklog(
  bench: BenchTable,
  kind: 'single-row' | 'hundred-row',
  rows: number,
): Promise<number> {
  const { db, schema } = bench;
  // A procedure may COMMIT inside its loop: each iteration is its own transaction.
  if (kind === 'single-row') {
    await db.query(`create procedure ${schema}.backlog(n int) language plpgsql as $$
      begin for i in 1..n loop
        update ${schema}.items set v = v + 1 where id = (i % ${SINGLE_ROW_TABLE_ROWS}) + 1; commit;
      end loop; end $$`);
  } else {
    await db.query(`create procedure ${schema}.backlog(n int) language plpgsql as $$
      begin for t in 0..(n / 100 - 1) loop
        insert into ${schema}.items select t * 100 + g, 0 from generate_series(1, 100) g; commit;
      end loop; end $$`);
  }
  await db.query('set synchronous_commit = off');
  await db.query(`call ${schema}.backlog($1)`, [rows]);
  await db.query('set synchronous_commit = on');
  return rows;
}

export async function currentLsn(db: pg.Client): Promise<string> {
  return (await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn;
}
