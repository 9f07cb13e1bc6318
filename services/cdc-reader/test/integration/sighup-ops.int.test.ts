import { jsonLines, useCleanup } from '@freshen/test-kit';
import { readerTest } from '../helpers/reader-harness.ts';
import { spawnReader, waitForRole } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

describe('cdc-reader as a process: signals, ops server, log lines', () => {
  it('regression: SIGHUP killed the reader without a drain or a log line; POST was answered like GET', async () => {
    const t = await readerTest(cleanup, ['create table $schema.items (id int primary key)']);
    const reader = await spawnReader(cleanup, { ...t.env, OPS_HOST: '127.0.0.1' });
    await waitForRole(reader, 'streaming');

    const base = `http://127.0.0.1:${reader.port}`;
    const post = await fetch(`${base}/readyz`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${base}/readyz`, { method: 'HEAD' })).status).toBe(200);

    await reader.kill('SIGHUP');
    expect(await reader.exit).toBe(0);
    const messages = jsonLines(reader.output()).map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SIGHUP: draining and stopping/),
        'stopped cleanly',
      ]),
    );
  });
});
