/**
 * npm run bench:reader — the reader's catch-up rate against the floor (pg_recvlogical
 * draining an identical backlog from its own slot in the same run), and its peak RSS.
 * A benchmark, not a test: prints a Markdown table and writes .bench/reader.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKafkaAdmin } from '@freshen/kafka';
import { spawnService } from '@freshen/harness';
import {
  CpuMeter,
  drainWithPgRecvlogical,
  serviceNodeFlags,
  stackKafkaPid,
  stackSettings,
} from '@freshen/test-kit';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIN = path.join(ROOT, 'services/cdc-reader/src/main.ts');
const stack = stackSettings();
const databaseUrl = stack.databaseUrl;
const brokers = stack.kafkaBrokers.join(',');
const run = randomBytes(3).toString('hex');
const schema = `bench_${run}`;

interface Backlog {
  name: string;
  rows: number;
  /** SQL run with synchronous_commit off; `$schema` is replaced. */
  generate: string;
  /** Whether to also time pg_recvlogical (the ratio needs it). */
  floor: boolean;
}

const BACKLOGS: Backlog[] = [
  {
    name: '200k single-row UPDATE transactions',
    rows: 200_000,
    generate: 'call $schema.single_updates(200000)',
    floor: true,
  },
  {
    name: '200k rows in 100-row transactions',
    rows: 200_000,
    generate: 'call $schema.batched_inserts(2000, 100)',
    floor: true,
  },
  {
    name: '1M changes (peak RSS)',
    rows: 1_000_000,
    generate: 'call $schema.batched_inserts(1000, 1000)',
    floor: true,
  },
];

const db = new pg.Client({ connectionString: databaseUrl });

async function setup(): Promise<void> {
  await db.connect();
  await db.query(`create schema ${schema}`);
  await db.query(
    `create table ${schema}.accounts (id int primary key, balance bigint not null, note text not null)`,
  );
  await db.query(
    `insert into ${schema}.accounts select i, 0, 'account ' || i from generate_series(1, 1000) i`,
  );
  await db.query(
    `create table ${schema}.events (id bigserial primary key, kind text not null, amount numeric not null, at timestamptz not null default now())`,
  );
  await db.query(`create procedure ${schema}.single_updates(n int) language plpgsql as $$
    begin for i in 1..n loop
      update ${schema}.accounts set balance = balance + 1 where id = (i % 1000) + 1; commit;
    end loop; end $$`);
  await db.query(`create procedure ${schema}.batched_inserts(txns int, per int) language plpgsql as $$
    begin for i in 1..txns loop
      insert into ${schema}.events (kind, amount) select 'deposit', g * 1.5 from generate_series(1, per) g; commit;
    end loop; end $$`);
}

async function createSlot(name: string): Promise<void> {
  await db.query(`create publication ${name} for tables in schema ${schema}`);
  await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [name]);
}

async function dropSlot(name: string): Promise<void> {
  await db
    .query(
      'select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = $1 and not active',
      [name],
    )
    .catch(() => {});
  await db.query(`drop publication if exists ${name}`).catch(() => {});
}

async function floorRate(
  slot: string,
  endLsn: string,
  rows: number,
): Promise<{ rate: number; machineBusy: number }> {
  const meter = new CpuMeter();
  const rate = rows / (await drainWithPgRecvlogical(databaseUrl, slot, slot, endLsn));
  return { rate, machineBusy: meter.read().machineBusy };
}

/** The pid of the walsender streaming `slot`, once a client is attached to it. */
async function walsenderPid(slot: string): Promise<number | undefined> {
  const { rows } = await db.query<{ pid: number | null }>(
    'select active_pid as pid from pg_replication_slots where slot_name = $1',
    [slot],
  );
  return rows[0]?.pid ?? undefined;
}

/** CPU-seconds per million rows, for a figure that stays comparable on a noisy machine. */
function perMillionRows(cpuSeconds: Record<string, number>, rows: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(cpuSeconds).map(([name, seconds]) => [
      name,
      Number(((seconds * 1_000_000) / rows).toFixed(2)),
    ]),
  );
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function publishedEvents(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('freshen_reader_events_published_total '));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

/** Where the reader's memory is when it has caught up (prom-client's process and heap gauges), MB. */
async function memoryAtEnd(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const gauges = {
    rss: 'process_resident_memory_bytes',
    heapTotal: 'nodejs_heap_size_total_bytes',
    heapUsed: 'nodejs_heap_size_used_bytes',
    external: 'nodejs_external_memory_bytes',
  };
  const figures: Record<string, number> = {};
  for (const [name, metric] of Object.entries(gauges)) {
    const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
    if (line) figures[name] = Number((Number(line.split(' ')[1]) / 2 ** 20).toFixed(1));
  }
  return figures;
}

async function readerRate(
  slot: string,
  rows: number,
  port: number,
): Promise<{
  rate: number;
  peakRssMb: number;
  cpuSecondsPerMillionRows: Record<string, number>;
  machineBusy: number;
  memoryAtEndMb: Record<string, number>;
}> {
  let startedAt: number | undefined;
  const meter = new CpuMeter();
  const reader = spawnService({
    name: 'cdc-reader',
    main: MAIN,
    cwd: ROOT,
    // As `npm start` runs it (READER_NODE_ARGS, e.g. adding --cpu-prof, replaces them).
    nodeArgs:
      process.env.READER_NODE_ARGS?.split(' ').filter(Boolean) ??
      serviceNodeFlags(path.join(ROOT, 'services/cdc-reader')),
    env: {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      SLOT_NAME: slot,
      PUBLICATION_NAME: slot,
      // The bench creates the publication itself; named anyway, so the reader never needs a guess.
      PUBLICATION_TABLES: `${schema}.accounts,${schema}.events`,
      TOPIC_PREFIX: `bench_${run}`,
      LOG_LEVEL: 'info',
    },
    metricsPort: port,
    onLine(line) {
      if (startedAt === undefined && line.includes('"msg":"streaming"')) {
        startedAt = Date.parse((JSON.parse(line) as { time: string }).time);
        // Counted from here: the CPU of streaming, not of loading modules and connecting.
        meter.track('reader', reader.pid);
        const kafka = stackKafkaPid();
        if (kafka !== undefined) meter.track('kafkaBroker', kafka);
        meter.restartMachine();
        void walsenderPid(slot).then((pid) => pid !== undefined && meter.track('walsender', pid));
      }
    },
  });
  let exited: number | null | undefined;
  void reader.exit.then((code) => (exited = code));
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(reader.pid))), 100);
  try {
    for (;;) {
      if (exited !== undefined)
        throw new Error(`reader exited with ${exited}:\n${reader.output().slice(-3000)}`);
      const published = await publishedEvents(port);
      if (published >= rows) break;
      // Each scrape costs the reader a few ms of CPU (it renders every metric), so scrape
      // seldom until the end is near, then often enough to time the finish to ~20 ms.
      const wait = published < rows * 0.9 ? 250 : 20;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const finishedAt = Date.now();
    if (startedAt === undefined) throw new Error('reader never logged "streaming"');
    const cpu = meter.read();
    const memoryAtEndMb = await memoryAtEnd(port);
    return {
      memoryAtEndMb,
      rate: rows / ((finishedAt - startedAt) / 1000),
      peakRssMb: peak,
      cpuSecondsPerMillionRows: perMillionRows(cpu.cpuSeconds, rows),
      machineBusy: cpu.machineBusy,
    };
  } finally {
    clearInterval(sampler);
    await reader.stop();
  }
}

interface Result {
  backlog: string;
  rows: number;
  readerRowsPerSec: number;
  floorRowsPerSec: number | null;
  ratio: number | null;
  peakRssMb: number;
  /** reader, its walsender and the Kafka broker, while the reader streamed. */
  cpuSecondsPerMillionRows: Record<string, number>;
  /** Busy share of all cores while the reader streamed, and while pg_recvlogical did. */
  machineBusy: { reader: number; floor: number | null };
  /** The reader's RSS, V8 heap and external (Buffer) memory once caught up, MB. */
  memoryAtEndMb: Record<string, number>;
}

async function main(): Promise<void> {
  await setup();
  const results: Result[] = [];
  const topics = new Set<string>();
  try {
    for (const [index, backlog] of BACKLOGS.entries()) {
      // BENCH_ONLY=0,2 runs a subset (for profiling with READER_NODE_ARGS=--cpu-prof).
      if (process.env.BENCH_ONLY && !process.env.BENCH_ONLY.split(',').includes(String(index)))
        continue;
      const readerSlot = `bench_${run}_r${index}`;
      const floorSlot = `bench_${run}_f${index}`;
      await createSlot(readerSlot);
      if (backlog.floor) await createSlot(floorSlot);
      try {
        const generating = performance.now();
        await db.query('set synchronous_commit = off');
        await db.query(backlog.generate.replaceAll('$schema', schema));
        const endLsn = (await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'))
          .rows[0]!.lsn;
        process.stderr.write(
          `${backlog.name}: backlog built in ${((performance.now() - generating) / 1000).toFixed(1)} s\n`,
        );
        const floor = backlog.floor ? await floorRate(floorSlot, endLsn, backlog.rows) : null;
        const reader = await readerRate(readerSlot, backlog.rows, 19464 + index);
        results.push({
          backlog: backlog.name,
          rows: backlog.rows,
          readerRowsPerSec: Math.round(reader.rate),
          floorRowsPerSec: floor === null ? null : Math.round(floor.rate),
          ratio: floor === null ? null : Number((reader.rate / floor.rate).toFixed(3)),
          peakRssMb: Number(reader.peakRssMb.toFixed(1)),
          cpuSecondsPerMillionRows: reader.cpuSecondsPerMillionRows,
          machineBusy: { reader: reader.machineBusy, floor: floor?.machineBusy ?? null },
          memoryAtEndMb: reader.memoryAtEndMb,
        });
        process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
        topics.add(`bench_${run}.${schema}.accounts`).add(`bench_${run}.${schema}.events`);
      } finally {
        await dropSlot(readerSlot);
        await dropSlot(floorSlot);
      }
    }
  } finally {
    await db.query(`drop schema ${schema} cascade`).catch(() => {});
    await db.end();
    const admin = createKafkaAdmin({ brokers: brokers.split(','), clientId: 'bench-cleanup' });
    const existing = new Set(await admin.listTopics());
    await admin
      .deleteTopics({ topics: [...topics].filter((topic) => existing.has(topic)) })
      .catch(() => {});
    await admin.close();
  }

  const lines = [
    '| backlog | rows | reader rows/s | pg_recvlogical rows/s | ratio | reader peak RSS (MB) | CPU-s per M rows: reader / walsender / broker | machine busy |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => {
      const cpu = r.cpuSecondsPerMillionRows;
      const cpuText = [cpu.reader, cpu.walsender, cpu.kafkaBroker].map((s) => s ?? '-').join(' / ');
      return `| ${r.backlog} | ${r.rows} | ${r.readerRowsPerSec} | ${r.floorRowsPerSec ?? '-'} | ${r.ratio ?? '-'} | ${r.peakRssMb} | ${cpuText} | ${r.machineBusy.reader} |`;
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
  writeFileSync(
    path.join(ROOT, '.bench/reader.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), targets: { ratio: 0.9, peakRssMb: 160 }, backlogs: results }, null, 2)}\n`,
  );
}

await main();
