// Exits 0 when the Kafka broker at argv[2] answers a metadata request, 1 otherwise.
// Used by the stack scripts as the broker's readiness probe.
import { Kafka, logLevel } from 'kafkajs';

const broker = process.argv[2];
if (!broker) {
  console.error('usage: kafka-ready.ts <host:port>');
  process.exit(2);
}

const admin = new Kafka({
  clientId: 'freshen-stack-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
}).admin();

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  process.exit(cluster.brokers.length > 0 && cluster.controller !== null ? 0 : 1);
} catch {
  process.exit(1);
} finally {
  await admin.disconnect().catch(() => {});
}
