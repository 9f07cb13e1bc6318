import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, type CloseList } from '@freshen/runtime';
import { Admin } from '@platformatic/kafka';
import { restartableProcess } from './restartable-process.ts';
import { stackDir } from './stack.ts';
import type { IssuedCertificate, TestCertificates } from './tls/test-certificates.ts';

/** A SCRAM user created when the broker's storage is formatted (`--add-scram`). */
export interface ScramUser {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface PrivateKafkaOptions {
  /**
   * Adds SASL_SSL listeners (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN) with these certificates:
   * `secure` presents the server certificate, `untrusted` one from the CA nobody trusts,
   * `wrongHost` one that names only wrong.example. Users: `scram`, plus `plain` for PLAIN.
   */
  saslSsl?: {
    certificates: TestCertificates;
    scram: ScramUser[];
    plain?: { username: string; password: string }[];
  };
}

export interface PrivateKafka {
  /** The PLAINTEXT listener (unauthenticated). */
  readonly brokers: string[];
  /** With `saslSsl`: the SASL_SSL listeners, one per server certificate. */
  readonly saslSsl?: { secure: string[]; untrusted: string[]; wrongHost: string[] };
  /** Kills the broker (SIGKILL): producers and consumers see it vanish, as in an outage. */
  stop(): Promise<void>;
  /** Starts it again with the same ports and data (topics and offsets survive). */
  start(): Promise<void>;
}

/** The broker jars that `npm run stack:up` resolved from Maven Central. */
function kafkaLibs(): string {
  const dir = stackDir();
  if (!dir)
    throw new Error('no .stack/env found: run npm run stack:up first (it fetches the Kafka jars)');
  return path.join(dir, 'kafka', 'libs');
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
export async function startPrivateKafka(
  cleanup: CloseList,
  options: PrivateKafkaOptions = {},
): Promise<PrivateKafka> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'freshen-kafka-'));
  const libs = path.join(kafkaLibs(), '*');
  const properties = path.join(dir, 'server.properties');
  const secure = options.saslSsl && (await secureListeners(dir, options.saslSsl));
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, ...(secure?.listeners ?? [])];
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=${[...listeners, `CONTROLLER://127.0.0.1:${controllerPort}`].join(',')}`,
      `advertised.listeners=${listeners.join(',')}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      `listener.security.protocol.map=${['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...(secure?.protocols ?? [])].join(',')}`,
      ...(secure?.settings ?? []),
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
    // SCRAM credentials live in the cluster metadata; format writes them before the first start.
    ...(options.saslSsl?.scram ?? []).flatMap((user) => [
      '--add-scram',
      `${user.mechanism}=[name=${user.username},password=${user.password}]`,
    ]),
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
  return {
    brokers: [broker],
    ...(secure && { saslSsl: secure.addresses }),
    start: server.start,
    stop: server.stop,
  };
}

/** The three SASL_SSL listeners' settings: one PEM keystore (key + chain) file each. */
async function secureListeners(
  dir: string,
  saslSsl: NonNullable<PrivateKafkaOptions['saslSsl']>,
): Promise<{
  listeners: string[];
  protocols: string[];
  settings: string[];
  addresses: { secure: string[]; untrusted: string[]; wrongHost: string[] };
}> {
  const { certificates } = saslSsl;
  const byName: [string, IssuedCertificate][] = [
    ['SECURE', certificates.server],
    ['UNTRUSTED', certificates.untrusted.server],
    ['WRONGHOST', certificates.wrongHost],
  ];
  const plainUsers = (saslSsl.plain ?? [])
    .map((user) => `user_${user.username}="${user.password}"`)
    .join(' ');
  const listeners: string[] = [];
  const settings: string[] = [];
  const ports: number[] = [];
  for (const [name, certificate] of byName) {
    const listenerPort = await freePort();
    ports.push(listenerPort);
    listeners.push(`${name}://127.0.0.1:${listenerPort}`);
    const keystore = path.join(dir, `${name.toLowerCase()}-keystore.pem`);
    writeFileSync(keystore, `${certificate.key}\n${certificate.cert}`);
    const prefix = `listener.name.${name.toLowerCase()}`;
    settings.push(
      `${prefix}.ssl.keystore.type=PEM`,
      `${prefix}.ssl.keystore.location=${keystore}`,
      `${prefix}.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN`,
      `${prefix}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      `${prefix}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      `${prefix}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    );
  }
  const address = (index: number) => [`127.0.0.1:${ports[index]}`];
  return {
    listeners,
    protocols: byName.map(([name]) => `${name}:SASL_SSL`),
    settings,
    addresses: { secure: address(0), untrusted: address(1), wrongHost: address(2) },
  };
}
