/**
 * npm run bench:cache — read latency and throughput of the cache's hit paths against a raw
 * `GET` + `JSON.parse` of the same keys, from 1 and 8 concurrent callers, with the Redis
 * commands each costs. A benchmark, not a test: prints a Markdown table with ratios and
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
import { runReaders, type ReadFigures } from './read-loop.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOT_KEYS = 1_000;
const VALUE_BYTES = 250;
const CALLERS = [1, 8] as const;
const secondsFlag = process.argv.indexOf('--seconds');
const SECONDS = secondsFlag > 0 ? Number(process.argv[secondsFlag + 1]) : 3;

const keyOf = (index: number) => `bench:hot:${index}`;
const rawKeyOf = (index: number) => `bench:raw:${index}`;
const valueOf = (index: number) => ({
  id: index,
  name: `item ${index}`,
  note: 'x'.repeat(VALUE_BYTES - 60),
});

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

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
    };
    const rows: Row[] = [];
    for (const callers of CALLERS) {
      for (const [name, read] of Object.entries(paths)) {
        // A short warm-up so JIT and connection state are the same for every path.
        await runReaders({ callers, seconds: 0.5, keys: HOT_KEYS, keyOf, read });
        const before = await commandsProcessed(stats);
        const figures = await runReaders({
          callers,
          seconds: SECONDS,
          keys: HOT_KEYS,
          keyOf,
          read,
        });
        // The INFO call itself and the one before it are not the reads' commands.
        const commands = (await commandsProcessed(stats)) - before - 1;
        rows.push({
          path: name,
          callers,
          ...figures,
          redisCommandsPerSecond: commands / figures.seconds,
        });
      }
    }
    report(rows);
  } finally {
    await closing.close();
  }
}

function report(rows: Row[]): void {
  const raw = (callers: number) =>
    rows.find((row) => row.callers === callers && row.path.startsWith('raw'))!;
  const lines = [
    `| path | callers | reads/s | p50 µs | p99 µs | Redis cmds/s | reads/s vs raw | p99 vs raw |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map((row) => {
      const base = raw(row.callers);
      return `| ${row.path} | ${row.callers} | ${Math.round(row.readsPerSecond)} | ${row.p50Us.toFixed(1)} | ${row.p99Us.toFixed(1)} | ${Math.round(row.redisCommandsPerSecond)} | ${(row.readsPerSecond / base.readsPerSecond).toFixed(2)}x | ${(row.p99Us / base.p99Us).toFixed(2)}x |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.bench/cache.json'),
    `${JSON.stringify({ at: new Date().toISOString(), hotKeys: HOT_KEYS, valueBytes: VALUE_BYTES, seconds: SECONDS, rows }, null, 2)}\n`,
  );
}

await main();
