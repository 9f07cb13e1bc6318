// `freshen backfill` of the users table while readers and writers race through the cache and the
// real pipeline (packages/harness's consistency run), then every cached key is compared with
// its row. Shared by the benchmark (100k rows) and its integration test (a few thousand).
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EXAMPLE_SCHEMA_SQL, ExampleStore, PG_SESSION_OPTIONS } from '@freshen/example';
import {
  createFixture,
  deleteKeyspace,
  findRepoRoot,
  runConsistencyCheck,
  startPipeline,
  type ConsistencyResult,
} from '@freshen/harness';
import { CloseList, SECOND } from '@freshen/runtime';
import { stackSettings, uniqueName } from '@freshen/test-kit';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface BackfillUnderWritesOptions {
  users: number;
  /** How long the readers and writers run; the backfill starts a second in. */
  writeSeconds: number;
  batch: number;
  /** --rate of the backfill (rows/s); default unthrottled. */
  rate?: number;
  say?: (line: string) => void;
}

export interface BackfillUnderWritesResult {
  /** The backfill's --json summary. */
  summary: {
    rows: number;
    keysInvalidated: number;
    seconds: number;
    rowsPerSecond: number;
    complete: boolean;
  };
  exitCode: number;
  /** The last progress line the backfill printed. */
  progressLine: string | undefined;
  /** Whether the writers were still running when the backfill ended. */
  endedWhileWriting: boolean;
  consistency: ConsistencyResult;
}

export async function backfillUnderWrites(
  options: BackfillUnderWritesOptions,
): Promise<BackfillUnderWritesResult> {
  const say = options.say ?? (() => {});
  const { databaseUrl, kafkaBrokers, redisUrl } = stackSettings();
  const root = findRepoRoot();
  const name = uniqueName('backfill');
  const closeList = new CloseList();
  try {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    closeList.add('postgres', () => db.end());
    await db.query(EXAMPLE_SCHEMA_SQL(name));
    closeList.add('schema', () => db.query(`drop schema if exists ${name} cascade`));
    say(`inserting ${options.users} users into ${name}.users...`);
    const fixture = await createFixture(db, name, { users: options.users, teams: 4, products: 8 });
    const redis = new Redis(redisUrl);
    closeList.add('redis', () => redis.quit());
    closeList.add('cache keys', () => deleteKeyspace(redis, name));
    say('starting the pipeline...');
    const pipeline = await startPipeline({
      databaseUrl,
      kafkaBrokers,
      redisUrl,
      schema: name,
      keyPrefix: name,
      name,
    });
    closeList.add('pipeline', () => pipeline.close());
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 24,
      options: PG_SESSION_OPTIONS,
    });
    closeList.add('pool', () => pool.end());

    const env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      KAFKA_BROKERS: kafkaBrokers.join(','),
      RULES_MODULE: path.join(root, 'packages/harness/src/rules-module.ts'),
      EXAMPLE_RULES_SCHEMA: name,
      EXAMPLE_RULES_KEY_PREFIX: name,
    };
    let writing = true;
    const backfill = (async () => {
      await new Promise((resolve) => setTimeout(resolve, SECOND));
      say(`backfill of ${name}.users starts while the writes run`);
      const child = spawn(
        path.join(root, 'node_modules/.bin/node'),
        [
          path.join(root, 'packages/cli/src/bin/freshen.ts'),
          'backfill',
          '--table',
          `${name}.users`,
          '--batch',
          String(options.batch),
          '--restart',
          '--checkpoint',
          path.join(root, '.bench', `${name}-checkpoint.json`),
          '--progress-every-ms',
          '2000',
          '--json',
          ...(options.rate === undefined ? [] : ['--rate', String(options.rate)]),
        ],
        { env, cwd: root },
      );
      let stdout = '';
      let progressLine: string | undefined;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.trim() === '') continue;
          if (line.startsWith('progress ')) progressLine = line;
          say(`  ${line}`);
        }
      });
      const exitCode = await new Promise<number>((resolve) =>
        child.on('close', (code) => resolve(code ?? 1)),
      );
      return {
        exitCode,
        summary: JSON.parse(stdout.trim() || '{}'),
        progressLine,
        endedWhileWriting: writing,
      };
    })();
    const consistency = await runConsistencyCheck({
      redis,
      pipeline,
      store: new ExampleStore(pool, name),
      db,
      fixture,
      keyPrefix: name,
      leases: true,
      durationMs: options.writeSeconds * SECOND,
      readers: 16,
      writers: 4,
      loadDelayMs: 20,
      writePauseMs: 5,
    }).finally(() => {
      writing = false;
    });
    return { ...(await backfill), consistency };
  } finally {
    await closeList.close();
  }
}
