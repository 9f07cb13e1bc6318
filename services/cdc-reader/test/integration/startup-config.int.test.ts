import { jsonLines, useCleanup } from '@freshen/test-kit';
import { spawnReader } from '../helpers/reader-process.ts';

const cleanup = useCleanup();

// Both refused before the reader touches Postgres: no slot, no publication is created.
describe('cdc-reader refuses a bad configuration before it connects', () => {
  it.concurrent.each([
    [
      // It created slot "freshen" and a publication FOR ALL TABLES.
      'SLOT_NAM=x started the reader on the default slot',
      { SLOT_NAM: 'x' },
      /^SLOT_NAM is not a Freshen variable; did you mean SLOT_NAME\?/,
    ],
    [
      'DATABASE_URL without // printed the password in the fatal log',
      { DATABASE_URL: 'postgres:u:PASS@127.0.0.1:1/db' },
      /^DATABASE_URL=<hidden> is invalid: expected a URL starting with postgres:\/\//,
    ],
  ])('regression: %s; now exit 78, one JSON line', async (_, env, expected) => {
    const reader = await spawnReader(cleanup, env);
    expect(await reader.exit).toBe(78);
    const lines = jsonLines(reader.output());
    expect(lines.map((line) => line.msg)).toEqual([expect.stringMatching(expected)]);
    expect(lines[0]).toMatchObject({ level: 60, code: 'CONFIG_INVALID', exitCode: 78 });
    expect(reader.output()).not.toContain('PASS');
  });
});
