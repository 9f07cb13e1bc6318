import { ensureTopics } from '@freshen/kafka';
import {
  freePort,
  kafkaConnection,
  newKafkaAdmin,
  newRedis,
  newTestProducer,
  startPrivateKafka,
  uniqueName,
  useCleanup,
  waitFor,
  type PrivateKafka,
  type TestProducer,
} from '@freshen/test-kit';
import { itemEvent, toMessage } from '../support/events.ts';
import { reportFigure } from '../support/figures.ts';
import { startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_kdown');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);
const ERROR = 50;
let kafka: PrivateKafka;
let producer: TestProducer;
let topic: string;
let dlqTopic: string;
let nextId = 1;

beforeAll(async () => {
  kafka = await startPrivateKafka(cleanup);
  const connection = kafkaConnection(kafka.brokers, 'kdown-test');
  const admin = await newKafkaAdmin(cleanup, connection);
  topic = uniqueName('inv_kdown_changes');
  dlqTopic = uniqueName('inv_kdown_dlq');
  await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
  producer = await newTestProducer(cleanup, connection);
}, 90_000);

/** Caches a key, produces its invalidation, resolves when it is gone (ms from produce). */
async function applyOne(): Promise<number> {
  const id = nextId++;
  const key = item.key({ id });
  await redis.set(key, 'cached');
  cleanup.add('key', () => redis.unlink(key));
  const startedAt = Date.now();
  await producer.send({ topic, messages: [toMessage(itemEvent(schema, id, {}))] });
  await waitFor(async () => (await redis.exists(key)) === 0, {
    timeoutMs: 30_000,
    description: `change ${id} applied`,
  });
  return Date.now() - startedAt;
}

describe('Kafka outages', () => {
  it('regression: exited 1 when Kafka was unreachable at start; now retries, not ready meanwhile, an error line naming the brokers', async () => {
    await kafka.stop();
    const { logger, lines } = captureLogger();
    const metricsPort = await freePort();
    const starting = startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      overrides: { kafkaBrokers: kafka.brokers, logger, metricsPort },
    });
    let started = false;
    void starting.then(() => (started = true));
    await waitFor(
      async () => (await getOps(metricsPort, '/readyz').catch(() => undefined))?.status === 503,
      { description: '/readyz 503 while Kafka is down' },
    );
    await waitFor(
      () =>
        lines.some(
          (line) =>
            line.level === ERROR && line.msg.includes(`Kafka not reachable at ${kafka.brokers[0]}`),
        ),
      { description: 'an error line naming the brokers' },
    );
    expect((await getOps(metricsPort, '/healthz')).status).toBe(200);
    expect(started).toBe(false);

    await kafka.start();
    const invalidator = await starting;
    await applyOne();
    expect((await getOps(invalidator.opsPort, '/readyz')).status).toBe(200);
    await invalidator.close();
  }, 120_000);

  it('regression: /readyz stayed 200 after the broker was killed; now 503 within seconds, 200 again and applying once it is back', async () => {
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      overrides: { kafkaBrokers: kafka.brokers },
    });
    await applyOne();
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 200, {
      description: 'ready',
    });

    const killedAt = Date.now();
    await kafka.stop();
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 503, {
      timeoutMs: 10_000,
      description: '/readyz 503 after the broker was killed',
    });
    reportFigure('broker killed -> /readyz 503', Date.now() - killedAt);
    // The first failure seen may be a commit; fetching is reported within the fetch-stall time.
    await waitFor(
      async () => (await getOps(invalidator.opsPort, '/readyz')).body.details?.kafka !== undefined,
      { timeoutMs: 10_000, description: '/readyz names Kafka' },
    );
    expect(await invalidator.metrics.unready.get()).toMatchObject({
      values: expect.arrayContaining([
        expect.objectContaining({ labels: { condition: 'kafka' }, value: 1 }),
      ]),
    });

    await kafka.start(); // resolves once the broker answers metadata
    const readyAt = Date.now();
    const applyMs = await applyOne();
    reportFigure('broker ready -> first change applied', Date.now() - readyAt);
    reportFigure('  of which produce -> applied', applyMs);
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 200, {
      description: '/readyz 200 again',
    });
    reportFigure('broker ready -> /readyz 200', Date.now() - readyAt);
  }, 120_000);

  it('closes (SIGTERM) within the session timeout while Kafka is down, instead of retrying for ever', async () => {
    const sessionTimeoutMs = 6000;
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      overrides: { kafkaBrokers: kafka.brokers, sessionTimeoutMs },
    });
    await applyOne();
    await kafka.stop();
    const startedAt = Date.now();
    let closedAfter: number | undefined;
    const closing = invalidator.close().then(() => (closedAfter = Date.now() - startedAt));
    await waitFor(() => closedAfter !== undefined, {
      timeoutMs: sessionTimeoutMs + 5000,
      description: 'close() to finish with Kafka down',
    });
    await closing;
    reportFigure('close() with Kafka down', closedAfter!);
  }, 60_000);
});
