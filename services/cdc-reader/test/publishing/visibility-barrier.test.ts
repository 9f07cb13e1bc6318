import { parseSnapshot, VisibilityBarrier } from '../../src/publishing/visibility-barrier.ts';
import { quietLogger } from '../helpers/quiet-logger.ts';

/** A barrier over a scripted sequence of pg_current_snapshot() answers. */
function scripted(...answers: string[]) {
  const asked: string[] = [];
  const barrier = new VisibilityBarrier(async () => {
    const next = answers.shift();
    if (next === undefined) throw new Error('asked for more snapshots than scripted');
    asked.push(next);
    return next;
  }, quietLogger);
  return { barrier, asked };
}

const never = new AbortController().signal;

describe('VisibilityBarrier', () => {
  it('reads xid8 snapshots as 32-bit ids (the epoch is dropped, as in pgoutput)', () => {
    const epoch1 = 2n ** 32n;
    const snapshot = parseSnapshot(`${epoch1 + 5n}:${epoch1 + 9n}:${epoch1 + 6n},${epoch1 + 8n}`);
    expect(snapshot).toEqual({ xmin: 5, xmax: 9, inProgress: new Set([6, 8]) });
  });

  it('waits while a transaction is at or after xmax (committed but not yet finished), or in progress', async () => {
    const { barrier, asked } = scripted('727:727:', '727:728:727', '728:728:');
    await barrier.waitUntilVisible([727], never);
    expect(asked).toHaveLength(3);
  });

  it('asks nothing for transactions before the xmin of an earlier snapshot', async () => {
    const { barrier, asked } = scripted('100:120:105', '130:130:');
    await barrier.waitUntilVisible([99, 101], never);
    await barrier.waitUntilVisible([50, 98, 99], never);
    expect(asked).toEqual(['100:120:105']);
    // 105 was in progress then; it needs a new look, which moves the horizon to 130.
    await barrier.waitUntilVisible([105], never);
    await barrier.waitUntilVisible([129], never);
    expect(asked).toEqual(['100:120:105', '130:130:']);
  });

  it('compares ids modulo 2^32 across wraparound', async () => {
    const { barrier, asked } = scripted(`${2n ** 32n + 10n}:${2n ** 32n + 10n}:`);
    // 4294967290 was assigned just before the counter wrapped to 3..10: it precedes xmin 10.
    await barrier.waitUntilVisible([4294967290, 9], never);
    await barrier.waitUntilVisible([4294967295], never);
    expect(asked).toHaveLength(1);
  });

  it('stops waiting when aborted', async () => {
    const abort = new AbortController();
    const { barrier } = scripted(...Array.from({ length: 100 }, () => '5:5:'));
    const waiting = barrier.waitUntilVisible([5], abort.signal);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
  });
});
