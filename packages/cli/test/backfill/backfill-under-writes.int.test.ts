import { SECOND } from '@freshen/runtime';
import { backfillUnderWrites } from '../../bench/backfill-under-writes.ts';

jest.setTimeout(240 * SECOND);

// The benchmark's run at a test's size (npm run bench:backfill does 100k rows): a backfill
// that let a stale fill slip in, or deleted nothing, fails here.
it('backfills a table while readers and writers run; the consistency check then finds 0 stale keys', async () => {
  const result = await backfillUnderWrites({
    users: 5000,
    writeSeconds: 30,
    batch: 250,
    // Spread over ~5 s, so the backfill runs beside the writes even on a slow machine.
    rate: 1000,
  });
  expect(result.exitCode).toBe(0);
  expect(result.summary).toMatchObject({ complete: true, rows: 5000, keysInvalidated: 10000 });
  expect(result.endedWhileWriting).toBe(true);
  expect(result.consistency.errors).toBe(0);
  expect(result.consistency.checked).toBeGreaterThan(0);
  expect(result.consistency.stale).toEqual([]);
});
