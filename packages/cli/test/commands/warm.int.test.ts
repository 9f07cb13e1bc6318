import path from 'node:path';
import { defineKeyspace } from '@freshen/keys';
import {
  deleteKeysWithPrefix,
  newRedis,
  stackSettings,
  uniqueName,
  useCleanup,
} from '@freshen/test-kit';
import { runFreshen } from '../run-freshen.ts';

const cleanup = useCleanup();
const redis = newRedis(cleanup);
const prefix = uniqueName('warmcli');
const item = defineKeyspace({ prefix }).kind('item', ['id'] as const);
cleanup.add('cache keys', () => deleteKeysWithPrefix(redis, prefix));

const plan = path.join(__dirname, '../fixtures/warm-plan.ts');
const env = { REDIS_URL: stackSettings().redisUrl, WARM_TEST_PREFIX: prefix };

it('freshen warm (npm run cache:warm) warms a plan module, prints a JSON summary, and exits 1 when a loader failed', async () => {
  const { code, stdout, stderr } = await runFreshen(['warm', plan, '--concurrency', '3'], env);
  expect(code).toBe(1);
  expect(JSON.parse(stdout)).toMatchObject({
    filled: 24,
    alreadyCached: 0,
    failed: 1,
    interrupted: false,
  });
  expect(stderr).toContain('unlucky row');
  expect(stderr).toContain('plan closed');
  expect(stderr).not.toContain('warming ['); // no progress bar when stderr is not a terminal
  expect(await redis.get(item.key({ id: 24 }))).toContain('{"id":24}');
});

it('refuses bad arguments with usage, exit 2', async () => {
  const failure = await runFreshen(['warm', plan, '--concurrency', '0'], env);
  expect(failure.code).toBe(2);
  expect(failure.stderr).toContain('--concurrency must be a positive integer');
});
