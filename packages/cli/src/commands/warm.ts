import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CacheClient, planFromModule, warm, type WarmPlanModule } from '@freshen/cache';
import { readCliConfig } from '../cli-config.ts';
import type { Command } from '../cli/command.ts';
import { connectRedis } from '../cli/connections.ts';
import { EXIT } from '../cli/exit-codes.ts';
import { parseOptions, positiveInteger } from '../cli/parse-options.ts';
import { UsageError } from '../cli/usage-error.ts';
import { progressBar } from '../progress/progress-bar.ts';

export const warmCommand: Command = {
  name: 'warm',
  summary: 'pre-populate cache keys from a warm plan module, through the fill leases',
  usage: `usage: freshen warm <plan module> [--concurrency N] [--ttl-ms N]
  <plan module>   a file whose default export is a warm plan { entries(), count?(), close?() }
                  (or a function returning one), e.g. services/example-api/src/warm-plan.ts
  --concurrency   entries loaded at once (default 8)
  --ttl-ms        TTL of warmed keys (default: the cache default, 5 minutes)
  Redis: REDIS_URL, or REDIS_MODE=cluster with REDIS_CLUSTER_NODES. Prints a JSON summary.
  exit 0 all warmed, 1 an entry failed or interrupted, 2 bad arguments, 3 Redis unreachable`,
  async run(context) {
    const { values, positionals } = parseOptions(context.argv, {
      concurrency: { type: 'string' },
      'ttl-ms': { type: 'string' },
    });
    const planPath = positionals[0];
    if (planPath === undefined) throw new UsageError('missing the plan module');
    const concurrency = positiveInteger(values.concurrency, 'concurrency') ?? 8;
    const ttlMs = positiveInteger(values['ttl-ms'], 'ttl-ms');
    const config = readCliConfig(context.env, context.cwd);

    // npm runs scripts from the repository root; resolve the plan from where the user is.
    const resolved = path.resolve(context.env.INIT_CWD ?? context.cwd, planPath);
    const plan = await planFromModule(
      (await import(pathToFileURL(resolved).href)) as WarmPlanModule,
      resolved,
    );
    const redis = await connectRedis(config.redis);
    const cache = new CacheClient(redis, ttlMs === undefined ? {} : { ttlMs });
    const bar = progressBar({
      stream: context.stderr,
      format:
        'warming [{bar}] {percentage}% | {value}/{total} | filled {filled} cached {cached} failed {failed} | {eta_formatted} left',
    });
    const started = performance.now();
    try {
      const total = plan.count ? await plan.count() : undefined;
      const summary = await warm(cache, plan.entries(), {
        concurrency,
        ...(total === undefined ? {} : { total }),
        signal: context.signal,
        onProgress: ({ done, total: known, summary: counts }) =>
          bar.update(done, known, {
            filled: counts.filled,
            cached: counts.alreadyCached,
            failed: counts.failed,
          }),
      });
      bar.stop();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const { errors, ...counts } = summary;
      context.stdout.write(
        `${JSON.stringify({ ...counts, seconds, interrupted: context.signal.aborted })}\n`,
      );
      for (const { key, error } of errors)
        context.stderr.write(`failed: ${key}: ${(error as Error).message}\n`);
      return summary.failed > 0 || context.signal.aborted ? EXIT.ATTENTION : EXIT.OK;
    } finally {
      bar.stop();
      await plan.close?.();
      await redis.quit();
    }
  },
};
