// Exits 0 when the Kafka broker at argv[2] answers a metadata request, 1 otherwise.
// Used by the stack scripts as the broker's readiness probe.
import { Admin } from '@platformatic/kafka';

const broker = process.argv[2];
if (!broker) {
  console.error('usage: kafka-ready.ts <host:port>');
  process.exit(2);
}

const admin = new Admin({
  clientId: 'freshen-stack-probe',
  bootstrapBrokers: [broker],
  connectTimeout: 1000,
  requestTimeout: 2000,
  retries: 0,
});

try {
  const cluster = await admin.metadata({ topics: [], forceUpdate: true });
  process.exit(cluster.brokers.size > 0 && cluster.controllerId >= 0 ? 0 : 1);
} catch {
  process.exit(1);
} finally {
  await admin.close().catch(() => {});
}
