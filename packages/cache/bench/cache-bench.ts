/**
 * npm run bench:cache — read latency and throughput of the cache's hit paths against a raw
 * `GET` + `JSON.parse` of the same keys, from 1 and 8 concurrent callers, with the Redis
 * commands each costs. Near hits are measured both ways (a fresh value per hit, and
 * `shareValues`), beside a bare `JSON.parse` of held text: the floor of a fresh near hit in
 * this read loop. A benchmark, not a test: prints a Markdown table with ratios and
 * writes .bench/cache.json. Runs against a private redis-server so that the command counts
 * are this benchmark's alone (the shared stack serves other work).
 *   npm run bench:cache [-- --seconds 3]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CloseList } from '@freshen/runtime';
import { startPrivateRedis } from '@freshen/test-kit';
import { Redis } from 'ioredis';
import { CacheClient } from '../src/index.ts';
import { runInSlices, type ReadFigures } from './read-loop.ts';
import { measureStaleness, type StalenessFigures } from './staleness.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOT_KEYS = 1_000;
const VALUE_BYTES = 250;
const CALLERS = [1, 8] as const;
const CHANGES_PER_SECOND = 2_000;
const ROUNDS = 6;
const secondsFlag = process.argv.indexOf('--seconds');
const SECONDS = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 3;

const keyOf = (index: number) => `bench:hot:${index}`;
const rawKeyOf = (index: number) => `bench:raw:${index}`;
const valueOf = (index: number) => ({
  id: index,
  name: `item ${index}`,
  note: 'x'.repeat(VALUE_BYTES - 60),
});

interface Row extends ReadFigures {
  path: string;
  callers: number;
  redisCommandsPerSecond: number;
}

async function main(): Promise<void> {
  const closing = new CloseList();
  try {
    const server = await startPrivateRedis(closing);
    const redis = new Redis(server.url);
    const stats = new Redis(server.url);
    closing.add('redis clients', () => {
      redis.disconnect();
      stats.disconnect();
    });
    const cache = new CacheClient(redis, { ttlMs: 60 * 60 * 1000 });
    const nearRedis = new Redis(server.url);
    // The probe would add its own commands to the counts; the staleness run measures instead.
    const nearCache = { prefixes: ['bench:hot:'], maxEntries: 2 * HOT_KEYS, probeIntervalMs: 0 };
    const near = new CacheClient(nearRedis, { ttlMs: 60 * 60 * 1000, nearCache });
    const shared = new CacheClient(nearRedis, {
      ttlMs: 60 * 60 * 1000,
      nearCache: { ...nearCache, shareValues: true },
    });
    closing.add('near caches', async () => {
      await Promise.all([near.close(), shared.close()]);
      nearRedis.disconnect();
    });
    await Promise.all([near.nearCacheReady(), shared.nearCacheReady()]);
    const heldText = Array.from({ length: HOT_KEYS }, (_, index) => JSON.stringify(valueOf(index)));
    for (let index = 0; index < HOT_KEYS; index++) {
      await cache.getOrLoad(keyOf(index), () => Promise.resolve(valueOf(index)));
      // What an application without the cache would store: the plain JSON text.
      await redis.set(rawKeyOf(index), JSON.stringify(valueOf(index)));
    }
    const paths: Record<string, (key: string) => Promise<unknown>> = {
      'raw GET + JSON.parse': async (key) =>
        JSON.parse((await redis.get(`bench:raw:${key.slice('bench:hot:'.length)}`))!),
      'getOrLoad, Redis hit': (key) =>
        cache.getOrLoad(key, () => Promise.reject(new Error('miss'))),
      'getOrLoad, near hit': (key) => near.getOrLoad(key, () => Promise.reject(new Error('miss'))),
      'getOrLoad, near hit, shareValues': (key) =>
        shared.getOrLoad(key, () => Promise.reject(new Error('miss'))),
      'JSON.parse only (no cache)': async (key) =>
        JSON.parse(heldText[Number(key.slice('bench:hot:'.length))]!),
    };
    // Every hot key near before timing (a fill's own invalidation may evict the first copy).
    for (const [client, name] of [
      [near, 'getOrLoad, near hit'],
      [shared, 'getOrLoad, near hit, shareValues'],
    ] as const) {
      for (let round = 0; round < 3 && client.near!.size.entries < HOT_KEYS; round++) {
        for (let index = 0; index < HOT_KEYS; index++) await paths[name]!(keyOf(index));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    const rows: Row[] = [];
    for (const callers of CALLERS) {
      const slices = await runInSlices({
        paths: Object.fromEntries(
          Object.entries(paths).map(([name, read]) => [name, { keyOf, read }]),
        ),
        callers,
        seconds: SECONDS,
        rounds: ROUNDS,
        keys: HOT_KEYS,
        stats,
      });
      for (const [name, figures] of slices)
        rows.push({
          path: name,
          callers,
          ...figures,
          redisCommandsPerSecond: figures.commands / figures.seconds,
        });
    }
    // Closed with the others: an open writer kept the process alive after the report.
    const writer = new Redis(server.url).on('error', () => undefined);
    closing.add('staleness writer', () => writer.disconnect());
    const staleness = await measureStaleness({
      writer,
      cache: near,
      keys: Array.from({ length: HOT_KEYS }, (_, index) => keyOf(index)),
      rate: CHANGES_PER_SECOND,
      seconds: SECONDS,
    });
    report(rows, staleness);
  } finally {
    await closing.close();
  }
}

function report(rows: Row[], staleness: StalenessFigures): void {
  const find = (callers: number, name: string) =>
    rows.find((row) => row.callers === callers && row.path === name)!;
  const lines = [
    `| path | callers | reads/s | p50 µs | p99 µs | Redis cmds/s | reads/s vs raw | p99 vs raw |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map((row) => {
      const base = find(row.callers, 'raw GET + JSON.parse');
      return `| ${row.path} | ${row.callers} | ${Math.round(row.readsPerSecond)} | ${row.p50Us.toFixed(1)} | ${row.p99Us.toFixed(1)} | ${Math.round(row.redisCommandsPerSecond)} | ${(row.readsPerSecond / base.readsPerSecond).toFixed(2)}x | ${(row.p99Us / base.p99Us).toFixed(2)}x |`;
    }),
  ];
  const ratios = CALLERS.map((callers) => {
    const raw = find(callers, 'raw GET + JSON.parse');
    const hit = find(callers, 'getOrLoad, Redis hit');
    const near = find(callers, 'getOrLoad, near hit');
    const shared = find(callers, 'getOrLoad, near hit, shareValues');
    const floor = find(callers, 'JSON.parse only (no cache)');
    return {
      callers,
      redisHitThroughputVsRawGet: hit.readsPerSecond / raw.readsPerSecond,
      redisHitP99VsRawGet: hit.p99Us / raw.p99Us,
      nearHitP99TimesLowerThanRedisHit: hit.p99Us / near.p99Us,
      sharedNearHitP99TimesLowerThanRedisHit: hit.p99Us / shared.p99Us,
      jsonParseFloorP99TimesLowerThanRedisHit: hit.p99Us / floor.p99Us,
    };
  });
  for (const ratio of ratios) {
    lines.push(
      `\n${ratio.callers} caller(s): Redis hit ${ratio.redisHitThroughputVsRawGet.toFixed(2)}x raw GET reads/s (target >= 0.9), p99 ${ratio.redisHitP99VsRawGet.toFixed(2)}x raw (target <= 1.2); near hit p99 ${ratio.nearHitP99TimesLowerThanRedisHit.toFixed(1)}x lower than a Redis hit, ${ratio.sharedNearHitP99TimesLowerThanRedisHit.toFixed(1)}x with shareValues (target >= 20; a bare JSON.parse here: ${ratio.jsonParseFloorP99TimesLowerThanRedisHit.toFixed(1)}x)`,
    );
  }
  lines.push(
    `\nstaleness window at ${Math.round(staleness.changesPerSecond)} changes/s (${staleness.measured}/${staleness.changes} changes timed): p50 ${staleness.p50Us.toFixed(0)} µs, p99 ${staleness.p99Us.toFixed(0)} µs, max ${staleness.maxUs.toFixed(0)} µs`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.bench/cache.json'),
    `${JSON.stringify({ at: new Date().toISOString(), hotKeys: HOT_KEYS, valueBytes: VALUE_BYTES, seconds: SECONDS, rows, ratios, staleness }, null, 2)}\n`,
  );
}

await main();
