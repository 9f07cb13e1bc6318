import path from 'node:path';
import { memberVersionsKeyFor } from '@freshen/keys';
import { findRepoRoot } from '@freshen/harness';
import { SECOND } from '@freshen/runtime';
import {
  deleteKeysWithPrefix,
  newPgClient,
  newRedis,
  newRedisCluster,
  newSchema,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import type { Cluster, Redis } from 'ioredis';
import type pg from 'pg';
import { runFreshen } from '../run-freshen.ts';
import { structureKinds } from '../fixtures/structure-rules-module.ts';

jest.setTimeout(60 * SECOND);

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const prefix = uniqueName('clistruct');
const { leaderboard, teamMembers } = structureKinds(prefix);
const OLD = '0'.repeat(24);
const NEWER = 'f'.repeat(24);
let db: pg.Client;
let schema: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await newPgClient(cleanup);
  schema = await newSchema(cleanup, db, 'clistruct');
  await db.query(`
    create table ${schema}.products (id int primary key, units_sold int not null, listed bool not null);
    insert into ${schema}.products select i, i * 10, i % 5 <> 0 from generate_series(1, 1200) i;
    create table ${schema}.memberships (team_id int, user_id int, primary key (team_id, user_id));
    insert into ${schema}.memberships select i % 3, i from generate_series(1, 30) i;`);
  cleanup.add('keys', async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await deleteKeysWithPrefix(redis, `{${prefix}`);
  });
  const { databaseUrl, redisUrl, kafkaBrokers } = stackSettings();
  env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    RULES_MODULE: path.join(findRepoRoot(), 'packages/cli/test/fixtures/structure-rules-module.ts'),
    EXAMPLE_RULES_SCHEMA: schema,
    EXAMPLE_RULES_KEY_PREFIX: prefix,
  };
});

/** Puts a member in a structure as the invalidator would have, with this version. */
async function seed(
  key: string,
  member: string,
  version: string,
  score?: number,
  on: Redis | Cluster = redis,
) {
  if (score === undefined) await on.sadd(key, member);
  else await on.zadd(key, score, member);
  await on.hset(memberVersionsKeyFor(key), member, version);
}

describe('freshen backfill of structures', () => {
  it('rebuilds a sorted set from the table: members written, members no row yields removed, newer changes kept', async () => {
    const key = leaderboard.key({});
    await seed(key, '9999', OLD, 5); // its row is gone: swept
    await seed(key, '5', OLD, 50); // unlisted now (5 % 5 = 0): swept
    await seed(key, '1', OLD, -1); // wrong score: rewritten
    await seed(key, '2', NEWER, 777); // the pipeline applied a newer change: kept as it is
    await seed(key, '5000', NEWER, 1); // added by the pipeline after the backfill began: kept
    const dir = path.join(findRepoRoot(), '.freshen');
    const run = await runFreshen(
      [
        'backfill',
        '--table',
        `${schema}.products`,
        '--batch',
        '100',
        '--checkpoint',
        path.join(dir, `${prefix}.json`),
        '--json',
      ],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      structures: { written: number; removed: number; refused: number };
    };
    // 1200 rows, 240 unlisted: 960 members, one (2) refused as older than what Redis has;
    // the sweep removes 9999 and 5, and is refused for 5000 (newer than the backfill's start).
    expect(summary.structures).toEqual({ written: 959, removed: 2, refused: 2, unsettled: 0 });
    expect(await redis.zcard(key)).toBe(961);
    expect(await redis.zscore(key, '1')).toBe('10');
    expect(await redis.zscore(key, '2')).toBe('777');
    expect(await redis.zscore(key, '5000')).toBe('1');
    expect(await redis.zscore(key, '9999')).toBeNull();
    expect(await redis.zscore(key, '5')).toBeNull();
    expect(await redis.zrevrange(key, 0, 0)).toEqual(['1199']);
  });

  it('rebuilds sets of every team, sweeping a team no row has any more', async () => {
    await seed(teamMembers.key({ team_id: 42 }), '7', OLD);
    await seed(teamMembers.key({ team_id: 1 }), '2', OLD);
    const run = await runFreshen(
      ['backfill', '--table', `${schema}.memberships`, '--restart', '--json'],
      env,
    );
    expect(run.code).toBe(0);
    expect(await redis.exists(teamMembers.key({ team_id: 42 }))).toBe(0);
    expect(
      (await redis.smembers(teamMembers.key({ team_id: 1 }))).map(Number).sort((a, b) => a - b),
    ).toEqual([1, 4, 7, 10, 13, 16, 19, 22, 25, 28]);
  });

  it('does not sweep with --where: the other rows look gone', async () => {
    const key = leaderboard.key({});
    await seed(key, '9998', OLD, 5);
    const run = await runFreshen(
      ['backfill', '--table', `${schema}.products`, '--where', 'id < 10', '--restart'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('structures not swept: --where limits the rows');
    expect(await redis.zscore(key, '9998')).toBe('5');
  });

  it('rebuilds on Redis Cluster too (the structures of a table spread over its masters)', async () => {
    const cluster = newRedisCluster(cleanup);
    cleanup.add('cluster keys', async () => {
      for (const team of [0, 1, 2, 42]) {
        const key = teamMembers.key({ team_id: team });
        await cluster.unlink(key, memberVersionsKeyFor(key));
      }
    });
    await seed(teamMembers.key({ team_id: 42 }), '7', OLD, undefined, cluster);
    await seed(teamMembers.key({ team_id: 0 }), '1', OLD, undefined, cluster);
    const run = await runFreshen(
      ['backfill', '--table', `${schema}.memberships`, '--restart', '--json'],
      {
        ...env,
        REDIS_MODE: 'cluster',
        REDIS_CLUSTER_NODES: stackSettings()
          .redisClusterNodes.map(({ host, port }) => `${host}:${port}`)
          .join(','),
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await cluster.exists(teamMembers.key({ team_id: 42 }))).toBe(0);
    expect(await cluster.sismember(teamMembers.key({ team_id: 0 }), '1')).toBe(0);
    for (const team of [0, 1, 2])
      expect(await cluster.scard(teamMembers.key({ team_id: team }))).toBe(10);
  });
});
