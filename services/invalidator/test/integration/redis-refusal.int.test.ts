import {
  newKafkaAdmin,
  newTopic,
  startPrivateRedis,
  uniqueName,
  useCleanup,
  waitFor,
} from '@freshen/test-kit';
import { Redis } from 'ioredis';
import { itemEvent, toMessage } from '../support/events.ts';
import { metricValue, newProducer, startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_refuse');
const { rules, item, schema } = testRules(prefix);
const ERROR = 50;

/** A private Redis with a password on its default user, and an admin client that knows it. */
async function redisWithPassword() {
  const server = await startPrivateRedis(cleanup);
  const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
  cleanup.add('redis admin', () => admin.disconnect());
  await admin.config('SET', 'requirepass', 'right-secret');
  await admin.auth('right-secret');
  return { server, admin };
}

async function topics() {
  const admin = await newKafkaAdmin(cleanup);
  const topic = await newTopic(cleanup, admin, 'inv_refuse_changes', 1);
  const dlqTopic = await newTopic(cleanup, admin, 'inv_refuse_dlq', 1);
  return { topic, dlqTopic };
}

/** Starts an invalidator against `url` and waits until /readyz names `cause` in one error line. */
async function expectRefused(url: string, cause: string, hint: RegExp) {
  const { topic, dlqTopic } = await topics();
  const { logger, lines, text } = captureLogger();
  const invalidator = await startTestInvalidator(cleanup, {
    topics: [topic],
    dlqTopic,
    rules,
    redis: { url },
    overrides: { logger },
  });
  const errorsOfCause = () =>
    lines.filter((line) => line.level === ERROR && line.msg.includes(cause));
  // Both, in either order: /readyz may say 503 (still starting) before the refusal is logged.
  await waitFor(
    async () =>
      errorsOfCause().length > 0 && (await getOps(invalidator.opsPort, '/readyz')).status === 503,
    { description: `/readyz 503 and an error line naming ${cause}` },
  );
  const { body } = await getOps(invalidator.opsPort, '/readyz');
  expect(String(body.details?.redis)).toBeDefined();
  const errors = errorsOfCause();
  expect(errors.length).toBe(1);
  expect(errors[0]!.msg).toMatch(hint);
  expect(text()).not.toMatch(/right-secret|wrong-secret/);
  expect(text()).not.toMatch(/Connection is closed/);
  expect(await metricValue(invalidator.metrics.redisRefusals)).toBe(1);
  expect(await metricValue(invalidator.metrics.unready)).toBeGreaterThanOrEqual(1);
  return { invalidator, body };
}

describe('Redis refusals name their cause', () => {
  it('regression: a wrong password said only "Connection is closed."; now WRONGPASS, /readyz 503', async () => {
    const { server } = await redisWithPassword();
    const url = `redis://:wrong-secret@127.0.0.1:${server.port}`;
    const { body } = await expectRefused(url, 'WRONGPASS', /fix REDIS_USERNAME and REDIS_PASSWORD/);
    expect(JSON.stringify(body)).toMatch(/WRONGPASS/);
  });

  it('regression: no password said only "Connection is closed."; now NOAUTH, /readyz 503', async () => {
    const { server } = await redisWithPassword();
    await expectRefused(server.url, 'NOAUTH', /Freshen sent no password: set REDIS_PASSWORD_FILE/);
  });

  it('regression: rediss:// against a plain Redis said only "Connection is closed."; now a TLS mismatch', async () => {
    const server = await startPrivateRedis(cleanup);
    await expectRefused(`rediss://127.0.0.1:${server.port}`, 'TLS', /answers in plain text/);
  });

  it('regression: an ACL user without UNLINK was retried for ever at warn level; now NOPERM (refused inside the delete script) with the ACL fix, /readyz 503, and it heals once granted', async () => {
    const { server, admin } = await redisWithPassword();
    await admin.acl('SETUSER', 'limited', 'on', '>limited-pw', '~*', '+@all', '-unlink');
    const key = item.key({ id: 1 });
    await admin.set(key, 'cached');
    const { topic, dlqTopic } = await topics();
    const { logger, lines } = captureLogger();
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      redis: { url: `redis://limited:limited-pw@127.0.0.1:${server.port}` },
      overrides: { logger },
    });
    expect((await getOps(invalidator.opsPort, '/readyz')).status).toBe(200);
    const producer = await newProducer(cleanup);
    await producer.send({ topic, messages: [toMessage(itemEvent(schema, 1, null))] });

    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 503, {
      description: '/readyz 503 on NOPERM',
    });
    const noperm = lines.filter((line) => line.level === ERROR && line.msg.includes('NOPERM'));
    expect(noperm.length).toBe(1);
    expect(noperm[0]!.msg).toMatch(/ACL SETUSER limited .*\+unlink .*\+evalsha/);
    expect(lines.filter((line) => line.level === 40 && /Redis/.test(line.msg))).toEqual([]);
    expect(await admin.exists(key)).toBe(1);

    await admin.acl('SETUSER', 'limited', '+unlink');
    await waitFor(async () => (await admin.exists(key)) === 0, {
      timeoutMs: 15_000,
      description: 'the delete applied once UNLINK is granted',
    });
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 200, {
      description: '/readyz 200 again',
    });
  });
});
