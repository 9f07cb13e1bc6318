// Pre-populates cache keys from a warm plan module with bounded concurrency and a progress bar.
//   npm run cache:warm -- <plan module> [--concurrency 8] [--ttl-ms 300000]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '@freshen/config';
import { connectRedis } from '@freshen/redis-client';
import { isFreshenError } from '@freshen/runtime';
import {
  CacheClient,
  planFromModule,
  warm,
  warmProgressBar,
  type WarmPlanModule,
} from '@freshen/cache';
import { readWarmConfig } from '../warm-config.ts';

const USAGE = `usage: npm run cache:warm -- <plan module> [--concurrency N] [--ttl-ms N]
  <plan module>   a file whose default export is a warm plan { entries(), count?(), close?() }
                  (or a function returning one), e.g. services/example-api/src/warm-plan.ts
  --concurrency   entries loaded at once (default 8)
  --ttl-ms        TTL of warmed keys (default: the cache default, 5 minutes)
Redis: REDIS_URL, or REDIS_MODE=cluster with REDIS_CLUSTER_NODES, or REDIS_MODE=sentinel with
  REDIS_SENTINELS; TLS and ACL users through REDIS_TLS_* and REDIS_USERNAME/REDIS_PASSWORD_FILE.`;

function usage(problem: string): never {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        concurrency: { type: 'string', default: '8' },
        'ttl-ms': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const planPath = positionals[0] ?? usage('missing the plan module');
const concurrency = Number(values.concurrency);
if (!Number.isInteger(concurrency) || concurrency < 1)
  usage(`--concurrency must be a positive integer, got ${values.concurrency}`);
const ttlMs = values['ttl-ms'] === undefined ? undefined : Number(values['ttl-ms']);
if (ttlMs !== undefined && !(Number.isInteger(ttlMs) && ttlMs > 0))
  usage(`--ttl-ms must be a positive integer, got ${values['ttl-ms']}`);

let redisConfig;
try {
  redisConfig = readWarmConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
  process.exit(78);
}

// npm runs workspace scripts from the repository root; resolve the plan from where the user is.
const resolved = path.resolve(process.env.INIT_CWD ?? process.cwd(), planPath);
const plan = await planFromModule(
  (await import(pathToFileURL(resolved).href)) as WarmPlanModule,
  resolved,
);
const redis = await connectRedis(redisConfig, { node: { maxRetriesPerRequest: 2 } }).catch(
  (error: unknown) => {
    if (!isFreshenError(error)) throw error;
    // One line that says what is wrong and how to fix it (a refusal, an unreachable Redis).
    process.stderr.write(`redis: ${error.message}\n`);
    process.exit(1);
  },
);
const cache = new CacheClient(redis, ttlMs === undefined ? {} : { ttlMs });
const bar = warmProgressBar();
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const started = performance.now();
try {
  const total = plan.count ? await plan.count() : undefined;
  const summary = await warm(cache, plan.entries(), {
    concurrency,
    ...(total === undefined ? {} : { total }),
    signal: controller.signal,
    onProgress: (progress) => bar.update(progress),
  });
  bar.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const { errors, ...counts } = summary;
  process.stdout.write(
    `${JSON.stringify({ ...counts, seconds, interrupted: controller.signal.aborted })}\n`,
  );
  for (const { key, error } of errors)
    process.stderr.write(`failed: ${key}: ${(error as Error).message}\n`);
  process.exitCode = summary.failed > 0 || controller.signal.aborted ? 1 : 0;
} finally {
  bar.stop();
  await plan.close?.();
  await redis.quit();
}
