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
import { reportFigure } from '../support/figures.ts';
import { newProducer, startTestInvalidator } from '../support/harness.ts';
import { captureLogger, getOps } from '../support/log-capture.ts';
import { testRules } from '../support/test-rules.ts';

const cleanup = useCleanup();
const prefix = uniqueName('inv_rrec');
const { rules, item, schema } = testRules(prefix);
const ERROR = 50;

describe('Redis recovery', () => {
  it('regression: no error-level line said why while Redis was gone; recovers from a freeze and a restart (figures printed)', async () => {
    const server = await startPrivateRedis(cleanup);
    const probe = new Redis(server.url, { maxRetriesPerRequest: null });
    cleanup.add('redis probe', () => probe.disconnect());
    const admin = await newKafkaAdmin(cleanup);
    const topic = await newTopic(cleanup, admin, 'inv_rrec_changes', 2);
    const dlqTopic = await newTopic(cleanup, admin, 'inv_rrec_dlq', 1);
    const producer = await newProducer(cleanup);
    const { logger, lines } = captureLogger();
    const invalidator = await startTestInvalidator(cleanup, {
      topics: [topic],
      dlqTopic,
      rules,
      redis: { url: server.url },
      overrides: { logger },
    });
    let nextId = 0;
    let stop = false;
    // Steady load throughout (the invalidator always has work in hand when Redis stops).
    const load = (async () => {
      while (!stop) {
        const ids = Array.from({ length: 10 }, () => nextId++);
        await producer.send({
          topic,
          messages: ids.map((id) => toMessage(itemEvent(schema, id, { mode: 'refresh', id }))),
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    cleanup.add('load', async () => {
      stop = true;
      await load;
    });
    /** Resolves with ms until a change produced now is applied. */
    const firstApplied = async () => {
      const from = nextId;
      const startedAt = Date.now();
      await waitFor(async () => (await probe.exists(item.key({ id: from + 15 }))) === 1, {
        timeoutMs: 30_000,
        description: `changes after ${from} applied`,
      });
      return Date.now() - startedAt;
    };
    await firstApplied();

    // Frozen (SIGSTOP, as a stalled VM or a long fork would): nothing answers for 4.7 s.
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))![1]);
    process.kill(pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 4700)); // the length of the fault, not a wait for a condition
    process.kill(pid, 'SIGCONT');
    reportFigure('Redis resumed after 4.7 s freeze -> first change applied', await firstApplied());

    // Killed and back: /readyz 503 within seconds, with one error line; 200 again once applied.
    const killedAt = Date.now();
    await server.stop();
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 503, {
      timeoutMs: 10_000,
      description: '/readyz 503 while Redis is down',
    });
    reportFigure('Redis killed -> /readyz 503', Date.now() - killedAt);
    expect(String((await getOps(invalidator.opsPort, '/readyz')).body.details?.redis)).toMatch(
      /Redis/,
    );
    const errorLines = lines.filter((line) => line.level === ERROR && /Redis/.test(line.msg));
    expect(errorLines.length).toBe(1);
    await server.start();
    const backAt = Date.now();
    reportFigure('Redis restarted -> first change applied', await firstApplied());
    await waitFor(async () => (await getOps(invalidator.opsPort, '/readyz')).status === 200, {
      description: '/readyz 200 again',
    });
    reportFigure('Redis restarted -> /readyz 200', Date.now() - backAt);
  }, 90_000);
});
