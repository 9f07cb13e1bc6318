/**
 * npm run bench:tags — what tags cost (docs/architecture.md, "Tags"): a tagged Redis hit
 * against an untagged one (p50/p99, reads/s, Redis commands per read), a tag invalidation
 * with 1, 10k and 1M values carrying the tag (against deleting those values one by one, the
 * eager alternative), and the memory a tag adds per value. A benchmark, not a test: prints a
 * Markdown table and writes .bench/tags.json. Runs against a private redis-server, so that
 * commands and memory are this benchmark's alone.
 *   npm run bench:tags [-- --seconds 3] [-- --max-keys 1000000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineKeyspace } from '@freshen/keys';
import { CloseList } from '@freshen/runtime';
import { encodeStoredValue, encodeTaggedPayload } from '@freshen/storage';
import { startPrivateRedis } from '@freshen/test-kit';
import { Redis } from 'ioredis';
import { CacheClient } from '../src/index.ts';
import { newGeneration } from '../src/tags/tag-generations.ts';
import { percentile, runInSlices, type ReadFigures, type ReadPath } from './read-loop.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HOT_KEYS = 1_000;
const CALLERS = [1, 8] as const;
const ROUNDS = 6;
const HOUR = 60 * 60 * 1000;
const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SECONDS = flag('--seconds', 3);
const MAX_KEYS = flag('--max-keys', 1_000_000);
const TAGGED_COUNTS = [1, 10_000, 1_000_000].filter((count) => count <= MAX_KEYS);
/** Timed repetitions of one tag invalidation. */
const INVALIDATIONS = 50;
/** Keys written per pipeline when filling many tagged values. */
const FILL_BATCH = 10_000;

const space = defineKeyspace({ prefix: 'bench' });
const listing = space.kind('listing', ['id'] as const);
const plain = space.kind('plain', ['id'] as const);
const many = space.kind('tagged', ['n', 'id'] as const);
const category = space.tag('category', ['id'] as const);
const valueOf = (index: number) => ({ id: index, name: `listing ${index}`, items: [1, 2, 3] });

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

interface ReadRow extends ReadFigures {
  path: string;
  callers: number;
  redisCommandsPerRead: number;
}

/** Tagged against untagged Redis hits of the same values, in alternating slices. */
async function measureReads(redis: Redis, stats: Redis): Promise<ReadRow[]> {
  const cache = new CacheClient(redis, { ttlMs: HOUR, earlyRefreshBeta: 0 });
  const tagOf = (key: string) => [category.tag({ id: Number(key.split(':').at(-1)) % 10 })];
  for (let index = 0; index < HOT_KEYS; index++) {
    await cache.getOrLoad(plain.key({ id: index }), async () => valueOf(index));
    const key = listing.key({ id: index });
    await cache.getOrLoad(key, async () => valueOf(index), { tags: tagOf(key) });
  }
  const miss = () => Promise.reject(new Error('a hit was expected'));
  const paths: Record<string, ReadPath> = {
    'getOrLoad, untagged hit': {
      keyOf: (index) => plain.key({ id: index }),
      read: (key) => cache.getOrLoad(key, miss),
    },
    'getOrLoad, 1 tag, hit': {
      keyOf: (index) => listing.key({ id: index }),
      read: (key) => cache.getOrLoad(key, miss, { tags: tagOf(key) }),
    },
  };
  const rows: ReadRow[] = [];
  for (const callers of CALLERS) {
    const slices = await runInSlices({
      paths,
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
        redisCommandsPerRead: figures.commands / figures.reads,
      });
  }
  return rows;
}

interface InvalidationRow {
  taggedKeys: number;
  /** One UNLINK of the tag's generation key, as the invalidator applies it. */
  invalidateP50Us: number;
  invalidateP99Us: number;
  /** The eager alternative: UNLINK of every tagged value, pipelined 1000 per command. */
  eagerDeleteMs: number;
  /** used_memory growth per tagged value while filling (value, key, tags section). */
  usedMemoryPerKeyBytes: number;
  fillSeconds: number;
}

/**
 * `count` values tagged with one tag, written in the exact stored form a tagged fill writes
 * (pipelined SET, so that 1M values take seconds, not the minutes of 1M loader calls); then
 * the tag's invalidation timed, and a read checked to miss.
 */
async function measureInvalidation(
  redis: Redis,
  cache: CacheClient,
  count: number,
): Promise<InvalidationRow> {
  const tag = category.tag({ id: 1_000_000 + count });
  const generation = newGeneration();
  await redis.set(tag.key, generation, 'PX', 2 * HOUR);
  const keyOf = (index: number) => many.key({ n: count, id: index });
  const memoryBefore = await usedMemory(redis);
  const fillStarted = performance.now();
  for (let start = 0; start < count; start += FILL_BATCH) {
    const pipeline = redis.pipeline();
    for (let index = start; index < Math.min(count, start + FILL_BATCH); index++) {
      const payload = encodeTaggedPayload(JSON.stringify(valueOf(index)), [
        { key: tag.key, generation },
      ]);
      pipeline.set(keyOf(index), encodeStoredValue(payload, 1, Date.now() + HOUR), 'PX', HOUR);
    }
    await pipeline.exec();
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const usedMemoryPerKeyBytes = ((await usedMemory(redis)) - memoryBefore) / count;
  const sample = keyOf(count - 1);
  const hit = await cache.read(sample, () => Promise.reject(new Error('miss')), { tags: [tag] });
  if (hit.source !== 'cache')
    throw new Error(`expected a hit before the invalidation, got ${hit.source}`);

  const latencies: number[] = [];
  for (let round = 0; round < INVALIDATIONS; round++) {
    // A reader's snapshot recreates the generation between two invalidations.
    await redis.set(tag.key, newGeneration(), 'PX', 2 * HOUR);
    const started = performance.now();
    await redis.unlink(tag.key);
    latencies.push((performance.now() - started) * 1000);
  }
  const after = await cache.read(sample, async () => 'reloaded', { tags: [tag] });
  if (after.source !== 'loader') throw new Error('a read after the invalidation was not a miss');
  latencies.sort((a, b) => a - b);

  const eagerStarted = performance.now();
  for (let start = 0; start < count; start += FILL_BATCH) {
    const pipeline = redis.pipeline();
    for (let index = start; index < Math.min(count, start + FILL_BATCH); index += 1000) {
      const keys = [];
      for (let i = index; i < Math.min(count, index + 1000); i++) keys.push(keyOf(i));
      pipeline.unlink(...keys);
    }
    await pipeline.exec();
  }
  const eagerDeleteMs = performance.now() - eagerStarted;
  process.stderr.write(
    `${count} tagged keys: fill ${fillSeconds.toFixed(1)} s, eager delete ${eagerDeleteMs.toFixed(0)} ms\n`,
  );
  return {
    taggedKeys: count,
    invalidateP50Us: percentile(latencies, 0.5),
    invalidateP99Us: percentile(latencies, 0.99),
    eagerDeleteMs,
    usedMemoryPerKeyBytes,
    fillSeconds,
  };
}

/** MEMORY USAGE of the same value stored without and with one tag, and of a generation key. */
async function measureMemory(redis: Redis, cache: CacheClient) {
  const tag = category.tag({ id: 42 });
  const samples = 100;
  let untagged = 0;
  let tagged = 0;
  for (let index = 0; index < samples; index++) {
    const plainKey = plain.key({ id: 50_000 + index });
    const taggedKey = listing.key({ id: 50_000 + index });
    await cache.getOrLoad(plainKey, async () => valueOf(index));
    await cache.getOrLoad(taggedKey, async () => valueOf(index), { tags: [tag] });
    untagged += (await redis.memory('USAGE', plainKey, 'SAMPLES', 0)) ?? 0;
    tagged += (await redis.memory('USAGE', taggedKey, 'SAMPLES', 0)) ?? 0;
  }
  const generationKeyBytes = (await redis.memory('USAGE', tag.key, 'SAMPLES', 0)) ?? 0;
  return {
    untaggedValueBytes: untagged / samples,
    taggedValueBytes: tagged / samples,
    overheadPerTaggedValueBytes: (tagged - untagged) / samples,
    generationKeyBytes,
    tagKeyLength: tag.key.length,
  };
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
    const reads = await measureReads(redis, stats);
    const cache = new CacheClient(redis, { ttlMs: HOUR, earlyRefreshBeta: 0 });
    const memory = await measureMemory(redis, cache);
    const invalidations: InvalidationRow[] = [];
    for (const count of TAGGED_COUNTS)
      invalidations.push(await measureInvalidation(redis, cache, count));
    report(reads, invalidations, memory);
  } finally {
    await closing.close();
  }
}

function report(
  reads: ReadRow[],
  invalidations: InvalidationRow[],
  memory: Awaited<ReturnType<typeof measureMemory>>,
): void {
  const ratios = CALLERS.map((callers) => {
    const untagged = reads.find((row) => row.callers === callers && row.path.includes('untagged'))!;
    const tagged = reads.find((row) => row.callers === callers && row.path.includes('1 tag'))!;
    return {
      callers,
      taggedReadsPerSecondVsUntagged: tagged.readsPerSecond / untagged.readsPerSecond,
      taggedP50VsUntagged: tagged.p50Us / untagged.p50Us,
      taggedP99VsUntagged: tagged.p99Us / untagged.p99Us,
    };
  });
  const lines = [
    `| read path | callers | reads/s | p50 µs | p99 µs | Redis cmds/read |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...reads.map(
      (row) =>
        `| ${row.path} | ${row.callers} | ${Math.round(row.readsPerSecond)} | ${row.p50Us.toFixed(1)} | ${row.p99Us.toFixed(1)} | ${row.redisCommandsPerRead.toFixed(2)} |`,
    ),
    ...ratios.map(
      (ratio) =>
        `\n${ratio.callers} caller(s): tagged hit ${ratio.taggedReadsPerSecondVsUntagged.toFixed(2)}x untagged reads/s, p50 ${ratio.taggedP50VsUntagged.toFixed(2)}x, p99 ${ratio.taggedP99VsUntagged.toFixed(2)}x`,
    ),
    ``,
    `| values with the tag | invalidate p50 µs | invalidate p99 µs | eager delete of the values ms | used_memory per value B |`,
    `| --- | --- | --- | --- | --- |`,
    ...invalidations.map(
      (row) =>
        `| ${row.taggedKeys} | ${row.invalidateP50Us.toFixed(1)} | ${row.invalidateP99Us.toFixed(1)} | ${row.eagerDeleteMs.toFixed(1)} | ${row.usedMemoryPerKeyBytes.toFixed(0)} |`,
    ),
    ``,
    `memory (MEMORY USAGE): untagged value ${memory.untaggedValueBytes.toFixed(0)} B, with one tag ${memory.taggedValueBytes.toFixed(0)} B (+${memory.overheadPerTaggedValueBytes.toFixed(0)} B per value for a ${memory.tagKeyLength}-character tag key), one generation key ${memory.generationKeyBytes} B per live tag`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.bench/tags.json'),
    `${JSON.stringify({ at: new Date().toISOString(), hotKeys: HOT_KEYS, seconds: SECONDS, reads, ratios, invalidations, memory }, null, 2)}\n`,
  );
}

await main();
