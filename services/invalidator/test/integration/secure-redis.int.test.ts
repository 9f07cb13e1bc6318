import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freshenAclRule, type RedisTarget } from '@freshen/redis-client';
import { storedPayload } from '@freshen/storage';
import {
  generateTestCertificates,
  newKafkaAdmin,
  newTopic,
  startPrivateRedis,
  startPrivateRedisCluster,
  startPrivateRedisSentinel,
  uniqueName,
  useCleanup,
  waitFor,
  type TestCertificates,
} from '@freshen/test-kit';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { itemEvent, toMessage } from '../support/events.ts';
import { newProducer, startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { testRules } from '../support/test-rules.ts';

// Invalidations from Kafka applied on secured Redis servers this file starts, by an
// invalidator logging in as an ACL user that may run exactly the commands Freshen needs.
const cleanup = useCleanup();
const prefix = uniqueName('inv_secure');
const { rules, item, schema } = testRules(prefix);
const user = { name: 'freshen', password: 'inv-secret-1', rules: freshenAclRule([prefix]) };
const ERROR = 50;
let certificates: TestCertificates;
let passwordFile: string;
let nextId = 0;

beforeAll(async () => {
  certificates = await generateTestCertificates(cleanup);
  passwordFile = join(certificates.dir, 'redis-password');
  await writeFile(passwordFile, `${user.password}\n`);
});

const secured = () => ({
  auth: { username: user.name, passwordFile },
  tls: { caFile: certificates.ca.certFile },
});

/** A topic, an invalidator on `redis` consuming it, and a way to send change events. */
async function pipelineTo(
  redis: RedisTarget,
  options: { logger?: ReturnType<typeof captureLogger>['logger']; waitReplicas?: number } = {},
) {
  const kafkaAdmin = await newKafkaAdmin(cleanup);
  const topic = await newTopic(cleanup, kafkaAdmin, 'inv_secure_changes', 1);
  const dlqTopic = await newTopic(cleanup, kafkaAdmin, 'inv_secure_dlq', 1);
  const invalidator = await startTestInvalidator(cleanup, {
    topics: [topic],
    dlqTopic,
    rules,
    redis,
    overrides: {
      ...(options.logger && { logger: options.logger }),
      ...(options.waitReplicas && {
        redisWaitReplicas: { replicas: options.waitReplicas, timeoutMs: 1000 },
      }),
    },
  });
  const producer = await newProducer(cleanup);
  const send = (events: ReturnType<typeof itemEvent>[]) =>
    producer.send({ topic, messages: events.map(toMessage) });
  return { invalidator, send };
}

/** `count` refreshes of new keys: each key's value is its row once applied. */
function refreshes(count: number) {
  return Array.from({ length: count }, () => {
    const id = ++nextId;
    return itemEvent(schema, id, { mode: 'refresh', id });
  });
}

/** How many of these refreshes Redis holds (as the admin sees it). */
async function applied(admin: Redis | Cluster, events: ReturnType<typeof itemEvent>[]) {
  let present = 0;
  for (const event of events) {
    const key = item.key({ id: event.key.id as number });
    if (storedPayload(await admin.get(key)) === JSON.stringify(event.new)) present += 1;
  }
  return present;
}

function adminClient(options: RedisOptions): Redis {
  const admin = new Redis({ ...options, maxRetriesPerRequest: 2 });
  cleanup.add('redis admin', () => admin.quit().catch(() => admin.disconnect()));
  return admin;
}

/** Deletes and refreshes arrive through Kafka and are applied. */
async function expectInvalidations(
  admin: Redis | Cluster,
  send: (events: ReturnType<typeof itemEvent>[]) => Promise<unknown>,
) {
  const doomedIds = Array.from({ length: 20 }, () => ++nextId);
  const doomed = doomedIds.map((id) => item.key({ id }));
  for (const key of doomed) await admin.set(key, 'stale');
  const events = refreshes(20);
  await send([...doomedIds.map((id) => itemEvent(schema, id, null)), ...events]);
  await waitFor(async () => (await applied(admin, events)) === events.length, {
    description: 'refreshes applied',
  });
  await waitFor(
    async () => {
      for (const key of doomed) if ((await admin.exists(key)) === 1) return false;
      return true;
    },
    { description: 'deletes applied' },
  );
}

describe('the invalidator on secured Redis', () => {
  it('applies invalidations on a TLS Redis as an ACL user (password from a file)', async () => {
    const server = await startPrivateRedis(cleanup, { tls: { certificates }, users: [user] });
    const { send } = await pipelineTo({ url: server.url, ...secured() });
    await expectInvalidations(adminClient(server.adminOptions), send);
  });

  it('applies invalidations on a TLS Redis Cluster as an ACL user', async () => {
    const cluster = await startPrivateRedisCluster(cleanup, {
      tls: { certificates },
      users: [user],
    });
    const { send } = await pipelineTo({ clusterNodes: [...cluster.hostPorts], ...secured() });
    const { host, port, ...nodeOptions } = cluster.nodes[0]!.adminOptions;
    const admin = new Cluster([{ host: host!, port: port! }], { redisOptions: nodeOptions });
    cleanup.add('cluster admin', () => admin.quit().catch(() => admin.disconnect()));
    await expectInvalidations(admin, send);
  });

  it('keeps applying invalidations across a Sentinel failover, none lost', async () => {
    const set = await startPrivateRedisSentinel(cleanup, { users: [user] });
    const { send } = await pipelineTo(
      {
        sentinels: [...set.sentinels],
        masterName: set.masterName,
        auth: { username: user.name, password: user.password },
        sentinelAuth: { password: set.sentinelPassword },
      },
      { waitReplicas: 1 },
    );
    const before = refreshes(50);
    await send(before);
    const firstMaster = adminClient(set.servers[0]!.adminOptions);
    expect(await set.masterPort()).toBe(set.servers[0]!.port);
    await waitFor(async () => (await applied(firstMaster, before)) === before.length, {
      description: 'invalidations before the failover applied',
    });

    const { to } = await set.failover();
    const after = refreshes(50);
    // Sent in several batches, so that some meet the connection the failover closed.
    for (let start = 0; start < after.length; start += 10)
      await send(after.slice(start, start + 10));
    const newMaster = adminClient(set.servers.find((server) => server.port === to)!.adminOptions);
    await waitFor(async () => (await applied(newMaster, after)) === after.length, {
      description: 'invalidations after the failover applied on the new master',
      timeoutMs: 30_000,
    });
    expect(await applied(newMaster, before)).toBe(before.length);
  });
});

describe('secured Redis refusals are one clear line', () => {
  let url: string;
  beforeAll(async () => {
    url = (await startPrivateRedis(cleanup, { tls: { certificates }, users: [user] })).url;
  });

  /** Starts an invalidator on `target`; /readyz turns 503 with one error line naming `cause`. */
  async function expectRefused(target: RedisTarget, cause: string, hint: RegExp) {
    const { logger, lines, text } = captureLogger();
    const { invalidator } = await pipelineTo(target, { logger });
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 503, {
      description: '/readyz 503',
    });
    await waitFor(() => lines.some((line) => line.level === ERROR && line.msg.includes(cause)), {
      description: `an error line naming ${cause}`,
    });
    const errors = lines.filter((line) => line.level === ERROR && line.msg.includes(cause));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(hint);
    expect(text()).not.toContain(user.password);
  }

  it('names a wrong password', async () => {
    await expectRefused(
      { url, ...secured(), auth: { username: user.name, password: 'not-it' } },
      'WRONGPASS',
      /rejected user "freshen" and its password \(WRONGPASS\): fix REDIS_USERNAME and REDIS_PASSWORD/,
    );
  });

  it('names an untrusted certificate', async () => {
    await expectRefused(
      { url, ...secured(), tls: { caFile: certificates.untrusted.ca.certFile } },
      'no trusted authority',
      /set REDIS_TLS_CA_FILE to the PEM file of the CA/,
    );
  });

  it('names a certificate for another host name', async () => {
    await expectRefused(
      {
        url,
        ...secured(),
        tls: { caFile: certificates.ca.certFile, serverName: 'cache.internal' },
      },
      'another host name',
      /cache\.internal is not among DNS:localhost, IP Address:127\.0\.0\.1.*set REDIS_TLS_SERVER_NAME/,
    );
  });
});
