import { EXAMPLE_SCHEMA_SQL } from '@freshen/example';
import { freePort, type CloseList } from '@freshen/runtime';
import { Redis } from 'ioredis';
import pg from 'pg';
import { deleteKeyspace } from './consistency-run.ts';
import { startExampleApiProcess } from './example-api-process.ts';
import { createFixture, type Fixture, type FixtureSize } from './fixture.ts';
import { buildStructures } from './build-structures.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';
import type { ServiceProcess } from './service-process.ts';

export interface ExampleRun {
  db: pg.Client;
  fixture: Fixture;
  pipeline: Pipeline;
  api: ServiceProcess;
  /** HTTP port of the example API. */
  apiPort: number;
}

/**
 * The whole example deployment under one name: the example schema filled with a fixture,
 * cdc-reader and invalidator on it (slot, topics, group and keyspace named `name`), and the
 * example API in front. Everything it creates is removed by `closeList`, last first. `progress`
 * hears each step (the demo prints them).
 */
export async function startExampleRun(
  closeList: CloseList,
  options: {
    stack: { databaseUrl: string; kafkaBrokers: string[]; redisUrl: string };
    /** Schema, slot, publication, topic prefix and key prefix. [a-z0-9_] */
    name: string;
    size: FixtureSize;
    /** HTTP port of the API; default a free one. */
    apiPort?: number;
    /** Services in their own process groups (see spawnService). Default false. */
    detached?: boolean;
    progress?: (step: string) => void;
  },
): Promise<ExampleRun> {
  const { stack, name, size, progress = () => {} } = options;
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  closeList.add('postgres', () => db.end());
  await db.query(EXAMPLE_SCHEMA_SQL(name));
  closeList.add('schema', () => db.query(`drop schema if exists ${name} cascade`));
  const redis = new Redis(stack.redisUrl);
  closeList.add('redis', () => redis.quit());
  closeList.add('cache keys', () => deleteKeyspace(redis, name));
  const fixture = await createFixture(db, name, size);
  progress(
    `example schema created: ${size.users} users, ${size.teams} teams, ${size.products} products`,
  );

  progress('starting cdc-reader and invalidator...');
  const pipeline = await startPipeline({
    databaseUrl: stack.databaseUrl,
    kafkaBrokers: stack.kafkaBrokers,
    redisUrl: stack.redisUrl,
    schema: name,
    keyPrefix: name,
    name,
    detached: options.detached,
  });
  closeList.add('pipeline', () => pipeline.close());
  await buildStructures(db, pipeline);
  progress('leaderboard and team member-id sets built from the rows, through the pipeline');

  progress('starting example-api...');
  const apiPort = options.apiPort || (await freePort());
  const api = await startExampleApiProcess({
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    schema: name,
    keyPrefix: name,
    port: apiPort,
    metricsPort: await freePort(),
    detached: options.detached,
  });
  closeList.add('example-api', () => api.stop());
  return { db, fixture, pipeline, api, apiPort };
}
