import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
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

const run = promisify(execFile);
const cleanup = useCleanup();
const redis = newRedis(cleanup);
const prefix = uniqueName('warmcli');
const item = defineKeyspace({ prefix }).kind('item', ['id'] as const);
cleanup.add('cache keys', () => deleteKeysWithPrefix(redis, prefix));

const bin = path.join(__dirname, '../src/bin/warm.ts');
const plan = path.join(__dirname, 'fixtures/warm-plan.ts');
const env = { ...process.env, REDIS_URL: stackSettings().redisUrl, WARM_TEST_PREFIX: prefix };

it('warms a plan module, prints a JSON summary, and exits 1 when a loader failed', async () => {
  const failure = await run(process.execPath, [bin, plan, '--concurrency', '3'], { env }).catch(
    (error: unknown) => error,
  );
  const { code, stdout, stderr } = failure as { code: number; stdout: string; stderr: string };
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
  const failure = (await run(process.execPath, [bin, plan, '--concurrency', '0'], { env }).catch(
    (e: unknown) => e,
  )) as {
    code: number;
    stderr: string;
  };
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
    const failure = (await run(process.execPath, [bin, plan], {
      env: secureEnv(user.password),
    }).catch((error: unknown) => error)) as { code: number; stdout: string };
    // The fixture plan has one failing row (exit 1); the others are filled over TLS.
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout)).toMatchObject({ filled: 24, failed: 1 });
  });

  it('names a wrong password in one line, exit 1', async () => {
    const failure = (await run(process.execPath, [bin, plan], { env: secureEnv('nope') }).catch(
      (error: unknown) => error,
    )) as { code: number; stdout: string; stderr: string };
    expect(failure.code).toBe(1);
    expect(failure.stdout).toBe('');
    expect(failure.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^redis: Redis at 127\.0\.0\.1:\d+ rejected user "warmer" and its password \(WRONGPASS\)/,
      ),
    ]);
    expect(failure.stderr).not.toContain('nope');
  });
});
