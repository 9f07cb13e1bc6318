import type { KafkaSecurity } from '@freshen/config';
import { encodeEvent, messageKey } from '@freshen/change-event';
import {
  DEAD_LETTER_HEADERS,
  ensureTopics,
  PlatformaticEventPublisher,
  type KafkaConnection,
} from '@freshen/kafka';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '@freshen/runtime';
import {
  committedOffsets,
  freePort,
  generateTestCertificates,
  jsonLines,
  newKafkaAdmin,
  newRedis,
  readMessages,
  startPrivateKafka,
  uniqueName,
  useCleanup,
  waitFor,
  type PrivateKafka,
  type TestCertificates,
} from '@freshen/test-kit';
import { itemEvent } from '../support/events.ts';
import { startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { spawnServiceProcess } from '../support/service-process.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_sec');
const { rules, item, schema } = testRules(prefix);
const redis = newRedis(cleanup);
const ERROR = 50;
const users = {
  scram512: { mechanism: 'SCRAM-SHA-512', username: 'freshen', password: 'scram512-secret-pw' },
  scram256: { mechanism: 'SCRAM-SHA-256', username: 'freshen256', password: 'scram256-secret-pw' },
} as const;
const plain = { username: 'plainuser', password: 'plain-secret-pw' };
let kafka: PrivateKafka;
let certificates: TestCertificates;

beforeAll(async () => {
  certificates = await generateTestCertificates(cleanup);
  kafka = await startPrivateKafka(cleanup, {
    saslSsl: { certificates, scram: Object.values(users), plain: [plain] },
  });
}, 120_000);

function security(sasl: NonNullable<KafkaSecurity['sasl']> = { ...users.scram512 }): KafkaSecurity {
  return { tls: { caFile: certificates.ca.certFile }, sasl };
}

function connection(sasl?: NonNullable<KafkaSecurity['sasl']>): KafkaConnection {
  return { brokers: kafka.saslSsl!.secure, clientId: uniqueName('sec'), security: security(sasl) };
}

describe('Kafka over SASL_SSL', () => {
  it("carries the reader's publisher -> the invalidator's consumer group and DLQ over SASL_SSL with SCRAM-SHA-512", async () => {
    const secure = connection();
    const admin = await newKafkaAdmin(cleanup, secure);
    const topic = uniqueName('inv_sec_changes');
    const dlqTopic = uniqueName('inv_sec_dlq');
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    const groupId = uniqueName('inv_sec_group');
    const key = item.key({ id: 1 });
    await redis.set(key, 'cached');
    cleanup.add('key', () => redis.unlink(key));

    const publisher = new PlatformaticEventPublisher({
      connection: secure,
      logger: createLogger('sec-publisher', { level: 'silent' }),
      partitions: 2,
    });
    cleanup.add('publisher', () => publisher.close());
    await publisher.connect();
    expect(await publisher.prepareTopic(topic)).toBe(2);
    const event = itemEvent(schema, 1, {});
    await publisher.publish([
      { topic, key: 'bad', value: '{not json', partition: 0 },
      { topic, key: messageKey(event), value: encodeEvent(event), partition: 0 },
    ]);

    const { logger, lines } = captureLogger();
    await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      groupId,
      overrides: {
        kafkaBrokers: secure.brokers as string[],
        kafkaSecurity: secure.security,
        logger,
      },
    });
    await waitFor(async () => (await redis.exists(key)) === 0, {
      description: 'the change applied through SASL_SSL',
    });
    const [letter] = await readMessages(cleanup, dlqTopic, 1, secure);
    expect(letter!.headers[DEAD_LETTER_HEADERS.errorCode]).toBe('EVENT_UNDECODABLE');
    expect(letter!.value?.toString()).toBe('{not json');
    await waitFor(async () => (await committedOffsets(admin, groupId, topic)).get(0) === 2n, {
      description: 'offsets committed through SASL_SSL',
    });
    expect(JSON.stringify(lines)).not.toContain(users.scram512.password);
  });

  it.each([
    ['SCRAM-SHA-256', { ...users.scram256 }],
    ['PLAIN', { mechanism: 'PLAIN', ...plain }],
  ] as const)('authenticates with %s', async (_name, sasl) => {
    const admin = await newKafkaAdmin(cleanup, connection(sasl));
    await expect(admin.listTopics()).resolves.toEqual(expect.any(Array));
  });
});

describe('a refused Kafka connection gives one clear error line', () => {
  const wrongPassword = 'wrong-secret-pw';
  const cases: [string, () => string[], string, RegExp][] = [
    [
      'a wrong password',
      () => kafka.saslSsl!.secure,
      wrongPassword,
      /^not ready: Kafka at 127\.0\.0\.1:\d+ rejected SCRAM-SHA-512 authentication of user "freshen": check KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\) and KAFKA_SASL_MECHANISM$/,
    ],
    [
      'an untrusted certificate',
      () => kafka.saslSsl!.untrusted,
      users.scram512.password,
      /^not ready: Kafka at 127\.0\.0\.1:\d+ presented a TLS certificate that no trusted authority signed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set KAFKA_TLS_CA_FILE to the CA bundle that signed the brokers' certificates$/,
    ],
    [
      'a certificate for another host',
      () => kafka.saslSsl!.wrongHost,
      users.scram512.password,
      /^not ready: Kafka at 127\.0\.0\.1:\d+ presented a TLS certificate for another host \(.*127\.0\.0\.1.*\): list the brokers in KAFKA_BROKERS by a name their certificate holds$/,
    ],
  ];

  it.each(cases)(
    '%s (the invalidator process, configured by variables)',
    async (name, brokers, password, line) => {
      const passwordFile = path.join(certificates.dir, `${uniqueName('pw')}.txt`);
      writeFileSync(passwordFile, `${password}\n`);
      const metricsPort = await freePort();
      const service = spawnServiceProcess(cleanup, {
        KAFKA_BROKERS: brokers().join(','),
        KAFKA_TLS: 'true',
        KAFKA_TLS_CA_FILE: certificates.ca.certFile,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: users.scram512.username,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
        TOPICS: uniqueName('inv_sec_never'),
        DLQ_TOPIC: uniqueName('inv_sec_never_dlq'),
        GROUP_ID: uniqueName('inv_sec_never_group'),
        TEST_KEY_PREFIX: prefix,
        METRICS_PORT: String(metricsPort),
      });
      const lines = () => jsonLines(service.output());
      const errors = () => lines().filter((entry) => entry.level === ERROR);
      await waitFor(() => errors().some((entry) => line.test(String(entry.msg))), {
        timeoutMs: 40_000,
        description: `the error line for ${name}`,
      });
      // Several start attempts later, still that one error line.
      await waitFor(
        () =>
          lines().filter((entry) => entry.msg === 'Kafka start attempt failed; retrying').length >=
          3,
        { timeoutMs: 30_000, description: 'three start attempts' },
      );
      expect(errors().map((entry) => entry.msg)).toEqual([expect.stringMatching(line)]);
      expect((await getOps(metricsPort, '/readyz')).status).toBe(503);
      expect(service.output()).not.toContain(password);
      service.kill('SIGTERM');
      await service.exited;
    },
  );
});
