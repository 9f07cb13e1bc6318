// `npm run bench:memory [-- seconds]`: the resident memory of cdc-reader and invalidator under
// the demo's workload (8 readers and 2 writers through the example API, plus a burst of 10k
// row updates halfway), sampled from each service's process_resident_memory_bytes once a
// second. The Kubernetes manifests' memory requests and limits (infra/k8s) come from this.
import { randomBytes } from 'node:crypto';
import { ConfigError, readConfig, withStackEnv } from '@freshen/config';
import {
  parseMetrics,
  PIPELINE_STACK_OPTIONS,
  runHttpWorkload,
  startExampleRun,
  type ServiceProcess,
} from '@freshen/harness';
import { CloseList, SECOND, sleep } from '@freshen/runtime';

let config;
try {
  config = readConfig(PIPELINE_STACK_OPTIONS, withStackEnv(process.env, process.cwd()));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  for (const problem of error.problems) process.stderr.write(`config: ${problem}\n`);
  process.exit(78);
}
const seconds = Number(process.argv[2] ?? 60);
const MIB = 1024 * 1024;
const name = `mem_${randomBytes(3).toString('hex')}`;
const closeList = new CloseList();

const rssOf = async (service: ServiceProcess): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`)).text();
  return parseMetrics(text).get('process_resident_memory_bytes') ?? NaN;
};
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.floor(q * (sorted.length - 1))]! / MIB).toFixed(0);
  return `median ${at(0.5)} MiB, p95 ${at(0.95)} MiB, peak ${at(1)} MiB (${samples.length} samples)`;
};

try {
  const { db, fixture, pipeline, apiPort } = await startExampleRun(closeList, {
    stack: {
      databaseUrl: config.DATABASE_URL,
      kafkaBrokers: config.KAFKA_BROKERS,
      redisUrl: config.REDIS_URL,
    },
    name,
    size: { users: 200, teams: 10, products: 50 },
  });

  const stop = new AbortController();
  const counts = { reads: 0, writes: 0, errors: 0 };
  const workload = runHttpWorkload({
    baseUrl: `http://127.0.0.1:${apiPort}`,
    fixture,
    readers: 8,
    writers: 2,
    pauseMs: 40,
    signal: stop.signal,
    counts,
  }).catch(() => counts);
  const samples = { reader: [] as number[], invalidator: [] as number[] };
  for (let second = 0; second < seconds; second++) {
    if (second === Math.floor(seconds / 2)) {
      // A burst: 50 updates of all 200 users, 10k change events within a second or two.
      for (let i = 0; i < 50; i++) await db.query(`update ${name}.users set name = name || ''`);
    }
    await sleep(SECOND);
    samples.reader.push(await rssOf(pipeline.reader));
    samples.invalidator.push(await rssOf(pipeline.invalidator));
  }
  stop.abort();
  await workload;
  console.log(`workload: ${counts.reads} reads, ${counts.writes} writes, ${counts.errors} errors`);
  console.log(`cdc-reader RSS:  ${summary(samples.reader)}`);
  console.log(`invalidator RSS: ${summary(samples.invalidator)}`);
} finally {
  await closeList.close();
}
