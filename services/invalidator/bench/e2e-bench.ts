// npm run bench:e2e [-- --quick] [-- --profile]
// Whole pipeline (slot → cdc-reader → Kafka → invalidator → Redis) against the physical floor
// (pg_recvlogical draining an identical backlog in the same run), and end-to-end latency
// (commit timestamp → Redis acknowledgement of the delete) at a steady offered load.
// Writes .bench/e2e.json (a --quick or --latency-only run writes .bench/e2e-partial.json, so it
// never replaces a full result) and prints a Markdown table.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SECOND } from '@freshen/runtime';
import { CpuMeter, drainWithPgRecvlogical, stackKafkaPid, stackSettings } from '@freshen/test-kit';
import type { AppliedBatch } from '../src/batch-processor.ts';
import { startInvalidator, type Invalidator } from '../src/invalidator.ts';
import {
  benchName,
  countMatching,
  createBenchTable,
  currentLsn,
  fillKeys,
  quiet,
  SINGLE_ROW_TABLE_ROWS,
  writeBacklog,
  type BenchTable,
} from './support/bench-stack.ts';
import { runLoadWriter, startReaderProcess } from './support/processes.ts';
import { startSelfProfile, topSelfTime } from './support/profile.ts';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const ROWS = quick ? 20_000 : 200_000;
/** The latency target's load (p50 ≤ 2 ms, p99 ≤ 10 ms), then higher loads to find the knee. */
const LATENCY = { tps: 2000, seconds: quick ? 10 : 60, rows: 10_000 };
const HIGHER_LOADS_TPS = [5000, 10_000, 20_000];
const HIGHER_LOAD_SECONDS = quick ? 5 : 20;
/** The highest steady load reported is the highest whose p99 stays within this. */
const STEADY_P99_MS = 20;
const root = path.resolve(import.meta.dirname, '../../..');
const outDir = path.join(root, '.bench');
const profileDir = path.join(outDir, 'profiles');
mkdirSync(profile ? profileDir : outDir, { recursive: true });
const settings = stackSettings();

async function counted(invalidator: Invalidator): Promise<number> {
  return (await invalidator.metrics.events.get()).values.reduce(
    (sum, entry) => sum + entry.value,
    0,
  );
}

async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function readerEnv(bench: BenchTable): Record<string, string> {
  return {
    DATABASE_URL: settings.databaseUrl,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    SLOT_NAME: bench.pipelineSlot,
    PUBLICATION_NAME: bench.publication,
    // The bench creates the publication itself; named anyway, so the reader never needs a guess.
    PUBLICATION_TABLES: bench.rules.tables.join(','),
    TOPIC_PREFIX: bench.topicPrefix,
  };
}

function startBenchInvalidator(
  bench: BenchTable,
  onApplied?: (applied: AppliedBatch) => void,
  groupId = benchName('bench_group'),
): Promise<Invalidator> {
  return startInvalidator({
    kafkaBrokers: settings.kafkaBrokers,
    redis: { url: settings.redisUrl },
    groupId,
    topics: [bench.topic],
    dlqTopic: `${bench.topicPrefix}.dlq`,
    rules: bench.rules,
    logger: quiet,
    metricsPort: 0,
    onApplied,
  });
}

interface BacklogRow {
  backlog: string;
  rows: number;
  transactions: number;
  pipelineSeconds: number;
  readerStartupSeconds: number;
  pipelineRowsPerSec: number;
  floorSeconds: number;
  floorRowsPerSec: number;
  ratio: number;
  keysLeft: number;
  /**
   * CPU-seconds per million rows: the reader process, this process (the invalidator) and the
   * stack's Kafka broker, while the reader streamed.
   */
  cpuSecondsPerMillionRows: {
    reader: number | null;
    invalidator: number;
    kafkaBroker: number | null;
  };
  /** Busy share of all the machine's cores meanwhile: near 1, the pipeline is CPU-bound. */
  machineBusy: number;
  /** The invalidator alone, a new group re-reading the topic the pipeline filled. */
  invalidatorAlone: AloneRun;
}

/** This process's CPU-seconds so far (the invalidator runs in-process; the driver only polls). */
const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const perMillion = (seconds: number, rows: number) => round((seconds * 1_000_000) / rows);

interface AloneRun {
  rowsPerSec: number;
  /** rowsPerSec against the same run's pg_recvlogical rows/s. */
  ratio: number;
  cpuSecondsPerMillionRows: number;
}

/**
 * The invalidator's own speed, apart from the reader it shares the machine with: its keys are
 * set again and a new consumer group reads the whole topic from the start. Timed from the
 * first applied batch (the group join is start-up, as the reader's is) to the last.
 */
async function invalidatorAlone(bench: BenchTable, keys: number): Promise<Omit<AloneRun, 'ratio'>> {
  await fillKeys(bench, keys);
  let applied = 0;
  let first: { at: number; cpu: number } | undefined;
  let last: { at: number; cpu: number } | undefined;
  const invalidator = await startBenchInvalidator(
    bench,
    ({ batch }) => {
      const now = { at: performance.now(), cpu: ownCpuSeconds() };
      first ??= now;
      applied += batch.messages.length;
      if (applied >= ROWS) last ??= now;
    },
    benchName('bench_alone'),
  );
  try {
    await until(async () => last !== undefined, 10 * 60 * SECOND, 'the invalidator alone');
    return {
      rowsPerSec: Math.round(ROWS / ((last!.at - first!.at) / 1000)),
      cpuSecondsPerMillionRows: perMillion(last!.cpu - first!.cpu, ROWS),
    };
  } finally {
    await invalidator.close();
  }
}

async function catchUp(kind: 'single-row' | 'hundred-row'): Promise<BacklogRow> {
  // single-row updates 1000 existing rows over and over; hundred-row inserts into an empty table.
  const tableRows = kind === 'single-row' ? SINGLE_ROW_TABLE_ROWS : 0;
  const bench = await createBenchTable(kind.replace('-', '_'), tableRows);
  try {
    await fillKeys(bench, kind === 'single-row' ? SINGLE_ROW_TABLE_ROWS : ROWS);
    const invalidator = await startBenchInvalidator(bench);
    bench.cleanup.add('invalidator', () => invalidator.close());
    const written = performance.now();
    await writeBacklog(bench, kind, ROWS);
    const endLsn = await currentLsn(bench.db);
    console.error(
      `[${kind}] backlog of ${ROWS} rows written in ${((performance.now() - written) / 1000).toFixed(1)} s; end ${endLsn}`,
    );

    const spawnedAt = Date.now();
    const invalidatorCpuAtStart = ownCpuSeconds();
    const reader = startReaderProcess(readerEnv(bench), profile ? profileDir : undefined);
    bench.cleanup.add('reader', () => reader.stop());
    const meter = new CpuMeter();
    let metering = false;
    await until(
      async () => {
        if (reader.exitCode() !== undefined)
          throw new Error(`cdc-reader exited ${reader.exitCode()}:\n${reader.output()}`);
        if (!metering && reader.streamingAt() !== undefined) {
          // From the reader's "streaming" line, like its own CPU figure.
          metering = true;
          const broker = stackKafkaPid();
          if (broker !== undefined) meter.track('kafkaBroker', broker);
          meter.restartMachine();
        }
        return (await counted(invalidator)) >= ROWS;
      },
      10 * 60 * SECOND,
      `${ROWS} events applied`,
    );
    const doneAt = Date.now();
    const invalidatorCpu = ownCpuSeconds() - invalidatorCpuAtStart;
    const readerCpu = reader.streamingCpuSeconds();
    const machine = meter.read();
    const brokerCpu = machine.cpuSeconds.kafkaBroker;
    // Like the reader benchmark, the clock starts at the reader's "streaming" log line: process
    // start-up (module loading, Kafka and slot-lock connections) is reported, not counted.
    const streamingAt = reader.streamingAt() ?? spawnedAt;
    const pipelineSeconds = (doneAt - streamingAt) / 1000;
    const startupSeconds = (streamingAt - spawnedAt) / 1000;
    const keysLeft = await countMatching(bench.redis, `${bench.keyPrefix}:item:*`);
    await reader.stop();
    console.error(
      `[${kind}] pipeline: ${pipelineSeconds.toFixed(2)} s after ${startupSeconds.toFixed(2)} s reader start-up; keys left ${keysLeft}`,
    );

    const floorSeconds = await drainWithPgRecvlogical(
      settings.databaseUrl,
      bench.floorSlot,
      bench.publication,
      endLsn,
    );
    console.error(`[${kind}] pg_recvlogical: ${floorSeconds.toFixed(2)} s`);
    const pipelineRowsPerSec = Math.round(ROWS / pipelineSeconds);
    const floorRowsPerSec = Math.round(ROWS / floorSeconds);
    const alone = await invalidatorAlone(
      bench,
      kind === 'single-row' ? SINGLE_ROW_TABLE_ROWS : ROWS,
    );
    console.error(`[${kind}] invalidator alone: ${alone.rowsPerSec} rows/s`);
    return {
      backlog:
        kind === 'single-row'
          ? `${ROWS} single-row UPDATE transactions (over ${SINGLE_ROW_TABLE_ROWS} rows)`
          : `${ROWS} rows INSERTed in ${ROWS / 100} 100-row transactions`,
      rows: ROWS,
      transactions: kind === 'single-row' ? ROWS : ROWS / 100,
      pipelineSeconds: round(pipelineSeconds),
      readerStartupSeconds: round(startupSeconds),
      pipelineRowsPerSec,
      floorSeconds: round(floorSeconds),
      floorRowsPerSec,
      ratio: round(pipelineRowsPerSec / floorRowsPerSec),
      keysLeft,
      cpuSecondsPerMillionRows: {
        reader: readerCpu === undefined ? null : perMillion(readerCpu, ROWS),
        invalidator: perMillion(invalidatorCpu, ROWS),
        kafkaBroker: brokerCpu === undefined ? null : perMillion(brokerCpu, ROWS),
      },
      machineBusy: machine.machineBusy,
      invalidatorAlone: { ...alone, ratio: round(alone.rowsPerSec / floorRowsPerSec) },
    };
  } finally {
    await bench.cleanup.close().catch((error: unknown) => console.error('cleanup failed', error));
  }
}

async function latency(load: { tps: number; seconds: number; rows: number }) {
  const bench = await createBenchTable('latency', LATENCY.rows);
  try {
    let recording = false;
    const lags: number[] = [];
    // Where the time goes, per applied change: commit → Kafka timestamp (reader + produce),
    // Kafka timestamp → batch handed to the invalidator (broker + fetch), handed → Redis ack.
    const stages = {
      reader: [] as number[],
      fetch: [] as number[],
      apply: [] as number[],
      batchSizes: [] as number[],
    };
    const invalidator = await startBenchInvalidator(
      bench,
      ({ lagsMs, batch, receivedAt, acknowledgedAt }) => {
        if (!recording) return;
        for (const lag of lagsMs) lags.push(lag);
        stages.batchSizes.push(batch.messages.length);
        for (const [index, message] of batch.messages.entries()) {
          const commitTs = acknowledgedAt - (lagsMs[index] ?? NaN);
          stages.reader.push(message.timestamp - commitTs);
          stages.fetch.push(receivedAt - message.timestamp);
          stages.apply.push(acknowledgedAt - receivedAt);
        }
      },
    );
    bench.cleanup.add('invalidator', () => invalidator.close());
    const reader = startReaderProcess(readerEnv(bench), profile ? profileDir : undefined);
    bench.cleanup.add('reader', () => reader.stop());
    // Warm-up: the pipeline is streaming and the group has its partitions before the clock starts.
    await bench.db.query(`update ${bench.schema}.items set v = v + 1 where id <= 200`);
    await until(async () => (await counted(invalidator)) >= 200, 60 * SECOND, 'warm-up applied');
    const before = await counted(invalidator);
    recording = true;
    const written = await runLoadWriter({
      databaseUrl: settings.databaseUrl,
      table: `${bench.schema}.items`,
      ...load,
    });
    await until(
      async () => (await counted(invalidator)) >= before + written.committed,
      60 * SECOND,
      'load applied',
    );
    recording = false;
    await reader.stop();
    const sorted = [...lags].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const p99 = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)] ?? NaN;
    console.error(
      `[latency ${load.tps} tx/s] stages p50/p99 ms: commit→kafka ${median(stages.reader)}/${p99(stages.reader)}, kafka→handler ${median(stages.fetch)}/${p99(stages.fetch)}, handler→redis ack ${median(stages.apply)}/${p99(stages.apply)}; batch size p50 ${median(stages.batchSizes)}`,
    );
    return {
      offeredTps: load.tps,
      seconds: load.seconds,
      achievedTps: Math.round(written.achievedTps),
      samples: sorted.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      /** Where the time went, p50/p99 per stage (see the comment on `stages`). */
      stagesMs: {
        commitToKafka: { p50: median(stages.reader), p99: p99(stages.reader) },
        kafkaToHandler: { p50: median(stages.fetch), p99: p99(stages.fetch) },
        handlerToRedisAck: { p50: median(stages.apply), p99: p99(stages.apply) },
      },
      maxMs: sorted.at(-1) ?? NaN,
    };
  } finally {
    await bench.cleanup.close().catch((error: unknown) => console.error('cleanup failed', error));
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

const profiles: { phase: string; profile: object }[] = [];
/** Runs a phase, profiling this process (the invalidator's) during it with --profile. */
async function phase<T>(name: string, run: () => Promise<T>): Promise<T> {
  const stop = profile ? await startSelfProfile() : undefined;
  const result = await run();
  if (stop) profiles.push({ phase: name, profile: await stop() });
  return result;
}
// --latency-only: skip the catch-up backlogs (for iterating on latency).
const backlogs = process.argv.includes('--latency-only')
  ? []
  : [
      await phase('catch-up single-row', () => catchUp('single-row')),
      await phase('catch-up hundred-row', () => catchUp('hundred-row')),
    ];
const lat = await phase('latency', () => latency(LATENCY));
const loadSteps = [lat];
for (const tps of HIGHER_LOADS_TPS) {
  loadSteps.push(await latency({ tps, seconds: HIGHER_LOAD_SECONDS, rows: LATENCY.rows }));
}
// Steady: the writer kept up with the offered rate (within 5%) and p99 stayed within bound.
const steady = loadSteps.filter(
  (step) => step.achievedTps >= step.offeredTps * 0.95 && step.p99Ms <= STEADY_P99_MS,
);
const result = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  quick,
  backlogs,
  latency: lat,
  loadSteps,
  highestSteadyTpsWithP99Within20Ms: steady.at(-1)?.achievedTps ?? null,
};
const outFile = path.join(outDir, quick || backlogs.length === 0 ? 'e2e-partial.json' : 'e2e.json');
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);

console.log(
  '| backlog | rows | pipeline s | pipeline rows/s | pg_recvlogical s | floor rows/s | ratio | keys left | CPU-s per M rows: reader / invalidator / broker | machine busy | invalidator alone rows/s (ratio), CPU-s per M rows |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of backlogs) {
  const cpu = row.cpuSecondsPerMillionRows;
  console.log(
    `| ${row.backlog} | ${row.rows} | ${row.pipelineSeconds} | ${row.pipelineRowsPerSec} | ${row.floorSeconds} | ${row.floorRowsPerSec} | ${row.ratio} | ${row.keysLeft} | ${cpu.reader ?? '-'} / ${cpu.invalidator} / ${cpu.kafkaBroker ?? '-'} | ${row.machineBusy} | ${row.invalidatorAlone.rowsPerSec} (${row.invalidatorAlone.ratio}), ${row.invalidatorAlone.cpuSecondsPerMillionRows} |`,
  );
}
console.log('');
console.log('| offered tx/s | achieved tx/s | seconds | samples | p50 ms | p99 ms | max ms |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const step of loadSteps) {
  console.log(
    `| ${step.offeredTps} | ${step.achievedTps} | ${step.seconds} | ${step.samples} | ${step.p50Ms} | ${step.p99Ms} | ${step.maxMs} |`,
  );
}
console.log(
  `\nhighest steady load with p99 ≤ ${STEADY_P99_MS} ms: ${result.highestSteadyTpsWithP99Within20Ms ?? 'none'} tx/s`,
);
console.log(`\nwrote ${path.relative(root, outFile)}`);

if (profile) {
  for (const { phase: name, profile: own } of profiles) {
    writeFileSync(
      path.join(profileDir, `invalidator-${name.replace(/ /g, '-')}.cpuprofile`),
      JSON.stringify(own),
    );
    console.log(`\nInvalidator process (bench driver + invalidator), ${name}, top self time:`);
    for (const line of topSelfTime(own as never)) console.log(`  ${line}`);
  }
  // One reader profile per phase, in phase order (file names carry the start time).
  for (const file of readdirSync(profileDir)
    .filter((name) => name.startsWith('CPU.'))
    .sort()) {
    console.log(`\ncdc-reader ${file}, top self time:`);
    for (const line of topSelfTime(path.join(profileDir, file))) console.log(`  ${line}`);
  }
}
