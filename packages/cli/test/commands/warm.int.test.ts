import path from 'node:path';
import { defineKeyspace } from '@freshen/keys';
import { freshenAclRule } from '@freshen/redis-client';
import {
  deleteKeysWithPrefix,
  generateTestCertificates,
  newRedis,
  stackSettings,
  startPrivateRedis,
  uniqueName,
  useCleanup,
  type TestCertificates,
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

describe('on a TLS Redis with an ACL user', () => {
  const user = { name: 'warmer', password: 'warm-secret-1', rules: freshenAclRule([prefix]) };
  let certificates: TestCertificates;
  let url: string;
  beforeAll(async () => {
    certificates = await generateTestCertificates(cleanup);
    url = (await startPrivateRedis(cleanup, { tls: { certificates }, users: [user] })).url;
  });
  const secureEnv = (password: string) => ({
    ...env,
    REDIS_URL: url,
    REDIS_USERNAME: user.name,
    REDIS_PASSWORD: password,
    REDIS_TLS_CA_FILE: certificates.ca.certFile,
  });

  it('warms through TLS as the ACL user', async () => {
    const run = await runFreshen(['warm', plan], secureEnv(user.password));
    // The fixture plan has one failing row (exit 1); the others are filled over TLS.
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ filled: 24, failed: 1 });
  });

  it('names a wrong password in one line, exit 3', async () => {
    const run = await runFreshen(['warm', plan], secureEnv('nope'));
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^freshen warm: Redis at 127\.0\.0\.1:\d+ rejected user "warmer" and its password \(WRONGPASS\)/,
      ),
    ]);
    expect(run.stderr).not.toContain('nope');
  });
});
