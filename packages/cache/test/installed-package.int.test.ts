import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { newRedis, stackSettings, uniqueName, useCleanup } from '@freshen/test-kit';

const run = promisify(execFile);
const cleanup = useCleanup();
const redis = newRedis(cleanup);
const repoRoot = path.resolve(__dirname, '../../..');
const fixtures = path.join(__dirname, 'installed');

/** The version the workspace builds with, so the consumer is checked by the same compiler. */
const workspaceVersion = (name: string) =>
  (
    JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

/**
 * What an application does: install the packed tarballs into a folder outside the workspace,
 * then read through the cache from plain ESM JavaScript and type-check the same from
 * TypeScript against the installed declarations.
 */
describe('the packages an application installs', () => {
  it('pack, install outside the workspace, and serve a cache-aside read from JavaScript and TypeScript', async () => {
    const { stdout: packed } = await run(process.execPath, ['scripts/pack-packages.ts'], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarballs = packed.trim().split('\n');
    expect(tarballs.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining([
        'freshen-keys-0.1.0.tgz',
        'freshen-rules-0.1.0.tgz',
        'freshen-cache-0.1.0.tgz',
      ]),
    );

    const app = mkdtempSync(path.join(tmpdir(), 'freshen-app-'));
    cleanup.add(`app folder ${app}`, () => rmSync(app, { recursive: true, force: true }));
    writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'freshen-consumer', private: true, type: 'module' }),
    );
    for (const file of ['app.mjs', 'app.ts', 'tsconfig.json'])
      copyFileSync(path.join(fixtures, file), path.join(app, file));
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...tarballs,
        `ioredis@${workspaceVersion('ioredis')}`,
        `typescript@${workspaceVersion('typescript')}`,
        `@types/node@${workspaceVersion('@types/node')}`,
      ],
      { cwd: app, maxBuffer: 16 * 1024 * 1024 },
    );

    const prefix = uniqueName('installed');
    cleanup.add('keys', async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.unlink(...keys);
    });
    const { stdout } = await run(process.execPath, ['app.mjs'], {
      cwd: app,
      env: { ...process.env, REDIS_URL: stackSettings().redisUrl, KEY_PREFIX: prefix },
    });
    expect(JSON.parse(stdout)).toEqual({
      first: { id: 7, name: 'Ada' },
      second: { id: 7, name: 'Ada' },
      loads: 1,
      tables: ['public.users'],
    });
    expect(await redis.exists(`${prefix}:user:7`)).toBe(1);

    await run(process.execPath, [path.join(app, 'node_modules/typescript/bin/tsc'), '-p', '.'], {
      cwd: app,
    });
  }, 300_000);
});
