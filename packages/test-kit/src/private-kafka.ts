import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findStackEnvFile } from '@freshen/config';
import { freePort, type CloseList } from '@freshen/runtime';
import { Admin } from '@platformatic/kafka';
import { restartableProcess } from './restartable-process.ts';

export interface PrivateKafka {
  readonly brokers: string[];
  /** Kills the broker (SIGKILL): producers and consumers see it vanish, as in an outage. */
  stop(): Promise<void>;
  /** Starts it again with the same ports and data (topics and offsets survive). */
  start(): Promise<void>;
}

/** The broker jars that `npm run stack:up` resolved from Maven Central. */
function kafkaLibs(): string {
  const envFile = findStackEnvFile(process.cwd());
  if (!envFile)
    throw new Error('no .stack/env found: run npm run stack:up first (it fetches the Kafka jars)');
  return path.join(path.dirname(envFile), 'kafka', 'libs');
}

async function answersMetadata(broker: string): Promise<boolean> {
  const admin = new Admin({
    clientId: 'freshen-private-probe',
    bootstrapBrokers: [broker],
    connectTimeout: 1000,
    retries: 0,
  });
  try {
    const cluster = await admin.metadata({ topics: [], forceUpdate: true });
    return cluster.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

/**
 * A single-node KRaft broker of this test's own (same jars as the stack), on free ports, that a
 * fault test may kill and restart without touching the shared stack. Takes a few seconds to
 * start (JVM); removed with its data by `cleanup`.
 */
export async function startPrivateKafka(cleanup: CloseList): Promise<PrivateKafka> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'freshen-kafka-'));
  const libs = path.join(kafkaLibs(), '*');
  const properties = path.join(dir, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      `log.dirs=${path.join(dir, 'data')}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'log4j2.properties'), 'status = error\nrootLogger.level = ERROR\n');
  const jvm = [
    '-Xms128m',
    '-Xmx384m',
    `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
    '-cp',
    libs,
  ];
  // Cluster id: 16 random bytes, URL-safe base64 without padding (what StorageTool random-uuid prints).
  const clusterId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
  await promisify(execFile)('java', [
    ...jvm,
    'kafka.tools.StorageTool',
    'format',
    // One argument with '=': a random id may start with '-', which would read as an option
    // (regression: 1 in 64 private brokers failed to format).
    `--cluster-id=${clusterId}`,
    '-c',
    properties,
  ]);

  const broker = `127.0.0.1:${port}`;
  const server = restartableProcess({
    command: 'java',
    args: [...jvm, 'kafka.Kafka', properties],
    description: `private kafka on ${broker}`,
    ready: () => answersMetadata(broker),
    readyTimeoutMs: 60_000,
  });
  await server.start();
  cleanup.add(`private kafka ${broker}`, async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { brokers: [broker], start: server.start, stop: server.stop };
}
