import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CacheClient } from '@freshen/cache';
import {
  CachedReads,
  createExampleKeys,
  EXAMPLE_SCHEMA_SQL,
  ExampleStore,
  PG_SESSION_OPTIONS,
} from '@freshen/example';
import { createFixture, deleteKeyspace, findRepoRoot, startPipeline } from '@freshen/harness';
import { DEAD_LETTER_HEADERS } from '@freshen/kafka';
import { leaseKeyFor } from '@freshen/keys';
import { SECOND } from '@freshen/runtime';
import {
  newPgClient,
  newRedis,
  newSchema,
  notYet,
  stackSettings,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import pg from 'pg';
import { produce, runFreshen, startFreshen } from '../run-freshen.ts';

jest.setTimeout(240 * SECOND);

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const USERS = 300;
const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
const name = uniqueName('clicmd');
let schema: string;
let env: Record<string, string>;
let reads: CachedReads;
let db: pg.Client;
let pipeline: Awaited<ReturnType<typeof startPipeline>>;
const keys = createExampleKeys(name);

beforeAll(async () => {
  db = await newPgClient(cleanup);
  schema = await newSchema(cleanup, db, 'clicmd');
  await db.query(EXAMPLE_SCHEMA_SQL(schema));
  await createFixture(db, schema, { users: USERS, teams: 3, products: 5 });
  cleanup.add('cache keys', () => deleteKeyspace(redis, name));
  pipeline = await startPipeline({
    databaseUrl,
    kafkaBrokers,
    redisUrl,
    schema,
    keyPrefix: name,
    name,
    partitions: 2,
  });
  cleanup.add('pipeline', () => pipeline.close());
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, options: PG_SESSION_OPTIONS });
  cleanup.add('pool', () => pool.end());
  reads = new CachedReads(
    new CacheClient(redis),
    keys,
    new ExampleStore(pool, schema),
    60 * SECOND,
  );
  env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    REDIS_URL: redisUrl,
    TOPIC_PREFIX: name,
    GROUP_ID: pipeline.groupId,
    DLQ_TOPIC: `${name}.dlq`,
    SLOT_NAME: name,
    RULES_MODULE: path.join(findRepoRoot(), 'packages/harness/src/rules-module.ts'),
    EXAMPLE_RULES_SCHEMA: schema,
    EXAMPLE_RULES_KEY_PREFIX: name,
  };
});

const userIds = async (limit: number) =>
  (
    await db.query<{ id: string }>(
      `select id::text from ${schema}.users order by id limit ${limit}`,
    )
  ).rows.map((row) => row.id);

it('status: a healthy pipeline exits 0 with its slot streaming, one standby-free reader and one member', async () => {
  const run = await runFreshen(['status', '--json', '--interval-ms', '300'], env);
  const status = JSON.parse(run.stdout);
  expect(status.attention).toEqual([]);
  expect(run.code).toBe(0);
  expect(status.slots[0]).toMatchObject({
    slot: name,
    exists: true,
    active: true,
    walStatus: 'reserved',
  });
  expect(status.slots[0].readers).toEqual({ active: 1, standby: 0 });
  expect(status.groups[0].members).toHaveLength(1);
  expect(status.groups[0].partitions.length).toBeGreaterThanOrEqual(10); // 5 tables x 2 partitions
  expect(status.redis[0]).toHaveProperty('evictionPolicy');
  expect(status.dlq).toMatchObject({ topic: `${name}.dlq`, unreplayed: 0 });
});

it('explain: reads the row by key and shows each key, its action and what Redis holds now', async () => {
  const [id] = await userIds(1);
  await reads.user(id!); // fills the profile through the cache
  const run = await runFreshen(
    [
      'explain',
      '--table',
      `${schema}.users`,
      '--key',
      JSON.stringify({ id: Number(id) }),
      '--json',
    ],
    env,
  );
  expect(run.code).toBe(0);
  const explained = JSON.parse(run.stdout);
  const profile = explained.actions.find(
    (a: { key: string }) => a.key === keys.user.key({ id: id! }),
  );
  expect(profile).toMatchObject({ action: 'refresh', now: { type: 'string', leased: false } });
  expect(profile.now.value).toContain(`"id":"${id}"`); // int8: text, as the reader sends it
  expect(explained.actions.map((a: { action: string }) => a.action)).toContain('delete');

  const missing = await runFreshen(
    ['explain', '--table', `${schema}.users`, '--key', '{"id":-5}'],
    env,
  );
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('no row of');
  const noTable = await runFreshen(
    ['explain', '--table', `${schema}.nope`, '--row', '{"id":1}'],
    env,
  );
  expect(noTable.code).toBe(1);
  expect(noTable.stderr).toContain(`no table ${schema}.nope`);
});

it('tail: follows a live change of a table and prints the keys it produces', async () => {
  const [id] = await userIds(1);
  const tail = startFreshen(['tail', '--table', `${schema}.users`, '--limit', '1', '--json'], env);
  await waitFor(
    () => (tail.output().stderr.includes('following') ? true : notYet(tail.output().stderr)),
    {
      timeoutMs: 30 * SECOND,
      description: 'tail to start',
    },
  );
  // The consumer joins its group after "following": write until tail has seen one change.
  const writer = setInterval(() => {
    void db.query(`update ${schema}.users set name = name || 'x' where id = $1`, [id]);
  }, 500);
  const run = await tail.done.finally(() => clearInterval(writer));
  expect(run.code).toBe(0);
  const event = JSON.parse(run.stdout.trim().split('\n')[0]!);
  expect(event).toMatchObject({ op: 'update', table: `${schema}.users`, key: { id } });
  expect(event.actions).toContainEqual({ kind: 'refresh', key: keys.user.key({ id: id! }) });
});

describe('backfill', () => {
  it('deletes every key the rows produce, with leases; resumes after an interrupt from its checkpoint', async () => {
    const ids = await userIds(USERS);
    for (const id of ids.slice(0, 50)) await reads.user(id);
    const dir = mkdtempSync(path.join(tmpdir(), 'freshen-backfill-'));
    cleanup.add('checkpoint dir', () => rmSync(dir, { recursive: true, force: true }));
    const checkpoint = path.join(dir, 'users.json');
    const args = [
      'backfill',
      '--table',
      `${schema}.users`,
      '--checkpoint',
      checkpoint,
      '--batch',
      '20',
    ];

    // A lease a reader holds must go too (a fill in flight then writes nothing).
    const leased = leaseKeyFor(keys.user.key({ id: ids[299]! }));
    await redis.set(leased, 'a reader loading', 'PX', 60 * SECOND);
    const first = startFreshen([...args, '--rate', '100', '--progress-every-ms', '200'], env);
    await waitFor(() => (existsSync(checkpoint) ? true : notYet('no checkpoint yet')), {
      timeoutMs: 30 * SECOND,
      description: 'the first batch',
    });
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain('interrupted after');
    expect(interrupted.stderr).toMatch(
      /progress \d+\/300 \d+% \| ETA \d+s \| keys \d+ \| speed \d+ rows\/s/,
    );
    expect(existsSync(checkpoint)).toBe(true);

    const resumed = await runFreshen([...args, '--json'], env);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('resuming the backfill');
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ complete: true, rows: USERS, failedRows: 0 });
    expect(summary.rowsThisRun).toBeLessThan(USERS);
    expect(existsSync(checkpoint)).toBe(false);
    for (const id of ids.slice(0, 50)) expect(await redis.exists(keys.user.key({ id }))).toBe(0);
    expect(await redis.exists(leased)).toBe(0);
  });

  it('refuses a table the rules do not cover, with exit 2', async () => {
    await db.query(`create table ${schema}.unruled (id int primary key)`);
    const run = await runFreshen(['backfill', '--table', `${schema}.unruled`], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`has no rules for ${schema}.unruled`);
  });
});

describe('dlq', () => {
  const letter = (id: string, value: string, offset: number) => ({
    key: `${schema}.users:${id}`,
    value,
    headers: {
      [DEAD_LETTER_HEADERS.errorCode]: 'RULE_FAILED',
      [DEAD_LETTER_HEADERS.errorMessage]: `rule 'users' of ${schema}.users threw`,
      [DEAD_LETTER_HEADERS.originTopic]: `${name}.${schema}.users`,
      [DEAD_LETTER_HEADERS.originPartition]: '0',
      [DEAD_LETTER_HEADERS.originOffset]: String(offset),
      [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
    },
  });

  it('lists letters with origin and error, replays them through the apply path, idempotently', async () => {
    const [id] = await userIds(1);
    const event = {
      v: 1,
      op: 'update',
      schema,
      table: 'users',
      key: { id: id },
      new: {
        id: id,
        email: `user${id}@example.com`,
        name: 'n',
        bio: null,
        updated_at: '2026-01-01 00:00:00+00',
      },
      old: null,
      unavailable: [],
      lsn: '0/1',
      xid: 1,
      seq: 0,
      ts: Date.now(),
    };
    await produce(kafkaBrokers, `${name}.dlq`, [
      letter(id!, JSON.stringify(event), 7),
      letter(id!, 'not json', 8),
    ]);

    const listed = await runFreshen(['dlq', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const letters = JSON.parse(listed.stdout);
    expect(letters).toHaveLength(2);
    expect(letters[0]).toMatchObject({
      id: '0@0',
      errorCode: 'RULE_FAILED',
      origin: { topic: `${name}.${schema}.users`, partition: 0, offset: '7' },
      replayed: false,
    });
    const shown = await runFreshen(['dlq', 'show', '0@1'], env);
    expect(shown.stdout).toContain('value: not json');

    const status = await runFreshen(['status', '--interval-ms', '100'], env);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`2 dead letters in ${name}.dlq not replayed`);

    await reads.user(id!);
    expect(await redis.exists(keys.user.key({ id: id! }))).toBe(1);
    const replayed = await runFreshen(['dlq', 'replay', '--all', '--json'], env);
    const outcome = JSON.parse(replayed.stdout);
    expect(replayed.code).toBe(1); // the undecodable one still fails
    expect(outcome).toMatchObject({ replayed: 1, failed: 1 });
    expect(outcome.letters[1].outcome).toContain('still fails: EVENT_UNDECODABLE');
    // Applied as a delete (never the letter's old refresh): the next read loads the row.
    expect(await redis.exists(keys.user.key({ id: id! }))).toBe(0);

    const again = await runFreshen(['dlq', 'replay', '0@0'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('replayed before: deletes are idempotent');
    expect(await redis.exists(keys.user.key({ id: id! }))).toBe(0);
    const marked = JSON.parse((await runFreshen(['dlq', 'list', '--json'], env)).stdout);
    expect(marked.map((l: { replayed: boolean }) => l.replayed)).toEqual([true, false]);
  });
});

it('status: with the invalidator stopped and writes running, names the missing members and the growing lag', async () => {
  await pipeline.invalidator.stop();
  const ids = await userIds(20);
  let writing = true;
  const writes = (async () => {
    while (writing) {
      for (const id of ids)
        await db.query(`update ${schema}.users set name = name || 'y' where id = $1`, [id]);
    }
  })();
  try {
    const run = await runFreshen(['status', '--interval-ms', '1500'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`consumer group ${pipeline.groupId} has no members`);
    expect(run.stderr).toContain(`consumer group ${pipeline.groupId} lag is growing`);
  } finally {
    writing = false;
    await writes;
  }
});
