// `npm run demo`: the whole pipeline with the example API under a small mixed workload.
// Creates the example schema (its own, dropped at the end), starts cdc-reader, invalidator and
// example-api as child processes, drives reads and writes through the API, and once a second
// shows changes/s, invalidations/s (keys and tags), structure changes/s, cache and near-cache hit
// rates and end-to-end lag scraped from the services' /metrics. Ctrl-C (or DEMO_DURATION_SECONDS) stops everything cleanly.
import { randomBytes } from 'node:crypto';
import { ConfigError, integer, readConfig, withStackEnv } from '@freshen/config';
import {
  dashboardLines,
  parseMetrics,
  PIPELINE_STACK_OPTIONS,
  runHttpWorkload,
  startExampleRun,
  type HttpWorkloadCounts,
  type Scrape,
  type ServiceProcess,
} from '@freshen/harness';
import { CloseList, SECOND, sleep } from '@freshen/runtime';

const CONFIG = {
  ...PIPELINE_STACK_OPTIONS,
  DEMO_DURATION_SECONDS: integer({
    default: 0,
    min: 0,
    doc: 'Stop by itself after this long; 0 runs until Ctrl-C.',
  }),
  DEMO_API_PORT: integer({
    default: 8080,
    min: 0,
    max: 65_535,
    doc: 'Port of the example API (0 picks a free one).',
  }),
};

let config;
try {
  config = readConfig(CONFIG, withStackEnv(process.env, process.cwd()));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
  process.exit(78);
}

const out = process.stdout;
const say = (line: string) => out.write(`${line}\n`);
const name = `demo_${randomBytes(3).toString('hex')}`;
const closeList = new CloseList();
const stop = new AbortController();
let interrupts = 0;
const children: ServiceProcess[] = [];
const onSignal = (signal: NodeJS.Signals) => {
  if (++interrupts > 1) {
    say(`\n${signal} again: killing the services without waiting`);
    for (const child of children) process.kill(child.pid, 'SIGKILL');
    process.exit(130);
  }
  say(
    `\n${signal}: stopping (the workload, then example-api, invalidator, cdc-reader); again to force`,
  );
  stop.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let exitCode = 0;
try {
  say(`Freshen demo: schema, slot, topics and keyspace "${name}"`);
  const { fixture, pipeline, api, apiPort } = await startExampleRun(closeList, {
    stack: {
      databaseUrl: config.DATABASE_URL,
      kafkaBrokers: config.KAFKA_BROKERS,
      redisUrl: config.REDIS_URL,
    },
    name,
    size: { users: 200, teams: 10, products: 50 },
    apiPort: config.DEMO_API_PORT,
    detached: true,
    progress: say,
  });
  children.push(pipeline.reader, pipeline.invalidator, api);
  say(`example API on http://127.0.0.1:${apiPort} (try: curl http://127.0.0.1:${apiPort}/users/1)`);
  say(
    `metrics: cdc-reader :${pipeline.reader.metricsPort}  invalidator :${pipeline.invalidator.metricsPort}  example-api :${api.metricsPort}`,
  );
  say(
    config.DEMO_DURATION_SECONDS > 0
      ? `running for ${config.DEMO_DURATION_SECONDS} s (Ctrl-C stops earlier)\n`
      : 'running until Ctrl-C\n',
  );

  const counts: HttpWorkloadCounts = { reads: 0, writes: 0, errors: 0 };
  const workload = runHttpWorkload({
    baseUrl: `http://127.0.0.1:${apiPort}`,
    fixture,
    readers: 8,
    writers: 2,
    pauseMs: 40,
    signal: stop.signal,
    counts,
  });
  if (config.DEMO_DURATION_SECONDS > 0)
    setTimeout(() => stop.abort(), config.DEMO_DURATION_SECONDS * SECOND).unref();
  // A service that dies ends the demo, with its last output.
  for (const child of children) {
    void child.exit.then((code) => {
      if (stop.signal.aborted) return;
      say(
        `\n${child.name} exited (code ${code}); its last output:\n${child.output().slice(-3000)}`,
      );
      exitCode = 1;
      stop.abort();
    });
  }

  const scrape = async (): Promise<Scrape> => {
    const [reader, invalidator, apiMetrics] = await Promise.all(
      [pipeline.reader, pipeline.invalidator, api].map(async (service) =>
        parseMetrics(await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text()),
      ),
    );
    return { at: Date.now(), reader: reader!, invalidator: invalidator!, api: apiMetrics! };
  };
  let previous = await scrape();
  let drawn = 0;
  while (!stop.signal.aborted) {
    await sleep(SECOND, stop.signal).catch(() => {});
    if (stop.signal.aborted) break;
    const now = await scrape().catch(() => undefined);
    if (!now) continue;
    const lines = dashboardLines(previous, now, counts);
    previous = now;
    if (out.isTTY) {
      // Redraw in place: up over the previous frame, clear to the end of the screen.
      if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[J`);
      out.write(`${lines.join('\n')}\n`);
      drawn = lines.length;
    } else {
      say(
        `[${new Date(now.at).toISOString().slice(11, 19)}] ${lines.map((line) => line.replace(/\s+/g, ' ').trim()).join(' | ')}`,
      );
    }
  }
  await workload;
  say(
    `\nworkload stopped: ${counts.reads} reads, ${counts.writes} writes, ${counts.errors} errors`,
  );
  if (counts.errors > 0) exitCode = 1;
} catch (error) {
  say(`demo failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await closeList.close().then(
    () =>
      say(
        'stopped: example-api, invalidator and cdc-reader exited; slot, topics, schema and cache keys dropped',
      ),
    (error: unknown) => {
      say(`cleanup problem: ${(error as Error).message}`);
      exitCode = 1;
    },
  );
}
process.exit(exitCode);
