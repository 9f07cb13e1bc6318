import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CacheClient } from '@freshen/cache';
import {
  createExampleKeys,
  StoreError,
  CachedReads,
  StructureReads,
  ExampleStore,
  PG_SESSION_OPTIONS,
} from '@freshen/example';
import {
  CloseList,
  createServiceRegistry,
  isFreshenError,
  logClientErrors,
  startOpsServer,
  type Logger,
  type RunningService,
} from '@freshen/runtime';
import { connectRedis } from '@freshen/redis-client';
import pg from 'pg';
import type { ApiConfig } from './config.ts';
import { HttpError } from './http/http-error.ts';
import type { Router } from './http/router.ts';
import { ApiMetrics } from './ops/api-metrics.ts';
import { API_STATUS_FIGURES } from './ops/status-figures.ts';
import { exampleRoutes } from './routes/example-routes.ts';

export interface ExampleApi extends RunningService {
  /** The API's HTTP port (useful when configured as 0). */
  readonly port: number;
  readonly metricsPort: number;
  readonly cache: CacheClient;
}

/** Starts the example API: Postgres pool, Redis, the cache, the HTTP server and /metrics. */
export async function startExampleApi(config: ApiConfig, logger: Logger): Promise<ExampleApi> {
  const closeList = new CloseList();
  try {
    const registry = createServiceRegistry('example-api');
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.pgPoolSize,
      options: PG_SESSION_OPTIONS,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', (error) =>
      logger.warn({ code: (error as { code?: string }).code }, 'idle Postgres connection failed'),
    );
    closeList.add('postgres pool', () => pool.end());
    await pool.query('select 1');

    const redis = await connectRedis(config.redis, { node: { maxRetriesPerRequest: 2 } });
    logClientErrors(redis, logger, { client: 'redis' });
    closeList.add('redis', () => redis.quit().catch(() => redis.disconnect()));

    const keys = createExampleKeys(config.keyPrefix);
    const cache = new CacheClient(redis, {
      registry,
      ttlMs: config.cacheTtlMs,
      leases: config.cacheLeases,
      // Every example kind (their keys, not their leases or versions) is kept near.
      nearCache:
        config.nearCacheTtlMs === undefined
          ? undefined
          : {
              prefixes: Object.values(keys).map((kind) => kind.pattern().slice(0, -1)),
              ttlMs: config.nearCacheTtlMs,
            },
    });
    closeList.add('near cache', () => cache.close());
    if (!config.cacheLeases)
      logger.warn('CACHE_LEASES=false: racing reads may re-fill stale values; demonstration only');
    const store = new ExampleStore(pool, config.pgSchema);
    const reads = new CachedReads(cache, keys, store, config.cacheTtlMs);
    const router = exampleRoutes(reads, new StructureReads(redis, keys), store);
    const metrics = new ApiMetrics(registry);

    const server = createServer((request, response) => {
      void handle(router, metrics, logger, request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, () => resolve());
    });
    closeList.add('http server', async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    });
    const ops = await startOpsServer({
      port: config.metricsPort,
      host: config.opsHost,
      registry,
      health: () => ({ ok: true }),
      ready: () => ({ ok: redis.status === 'ready', details: { redis: redis.status } }),
      status: { service: 'example-api', figures: API_STATUS_FIGURES },
    });
    closeList.add('ops server', () => ops.close());
    const port = (server.address() as AddressInfo).port;
    logger.info(
      { port, metricsPort: ops.port, schema: config.pgSchema, keyPrefix: config.keyPrefix },
      'example API listening',
    );
    return {
      port,
      metricsPort: ops.port,
      cache,
      close: () => closeList.close(),
      // Runs until closed: nothing here stops on its own.
      done: new Promise<void>(() => {}),
    };
  } catch (error) {
    await closeList.close().catch(() => {});
    throw error;
  }
}

async function handle(
  router: Router,
  metrics: ApiMetrics,
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://localhost');
  let route = 'unmatched';
  let status = 500;
  let body: unknown;
  try {
    const matched = router.match(method, url.pathname);
    if (matched === undefined) throw new HttpError(404, `no route for ${url.pathname}`);
    if (matched === 'method')
      throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
    route = matched.pattern;
    const result = await matched.handler({
      params: matched.params,
      query: url.searchParams,
      request,
    });
    ({ status, body } = result);
  } catch (error) {
    if (error instanceof HttpError) {
      ({ status } = error);
      body = { error: error.message };
    } else if (error instanceof StoreError) {
      status = error.kind === 'conflict' ? 409 : 404;
      body = { error: error.message };
    } else if (error instanceof URIError) {
      status = 400;
      body = { error: 'malformed percent-encoding in the path' };
    } else {
      // A failed loader (Postgres down) is a 503; anything else a 500. Log code and message
      // only: Postgres error details can contain row values.
      const cause = isFreshenError(error, 'LOADER_FAILED') ? error.cause : error;
      status = isFreshenError(error, 'LOADER_FAILED') ? 503 : 500;
      logger.error(
        { route, code: (cause as { code?: string })?.code, message: (cause as Error)?.message },
        'request failed',
      );
      body = {
        error: status === 503 ? 'the database is unavailable; retry later' : 'internal error',
      };
    }
  }
  // The client may have gone away meanwhile; a failed write must not become an unhandled rejection.
  try {
    if (body === undefined) response.writeHead(status).end();
    else
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  } catch (error) {
    logger.debug({ route, message: (error as Error).message }, 'response not written');
  }
  metrics.requests.inc({ method, route, status: `${Math.floor(status / 100)}xx` });
  metrics.duration.observe({ method, route }, (performance.now() - started) / 1000);
}
