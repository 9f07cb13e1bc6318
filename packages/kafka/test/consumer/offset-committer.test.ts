import { createLogger } from '@freshen/runtime';
import { OffsetCommitter, type PartitionOffset } from '../../src/consumer/offset-committer.ts';

const quiet = createLogger('test', { level: 'silent' });

function fakeKafka() {
  const commits: PartitionOffset[][] = [];
  let release: (() => void) | undefined;
  let failNext = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const commit = async (offsets: PartitionOffset[]) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    commits.push(offsets);
    await new Promise<void>((resolve) => (release = resolve));
    inFlight--;
    if (failNext) {
      failNext = false;
      throw new Error('REBALANCE_IN_PROGRESS');
    }
  };
  const answer = async () => {
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    const current = release;
    release = undefined;
    current();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    commits,
    commit,
    answer,
    failNextCommit: () => (failNext = true),
    maxInFlight: () => maxInFlight,
  };
}

describe('OffsetCommitter', () => {
  it('coalesces the offsets of one fetch into one commit, and keeps one commit in flight', async () => {
    const kafka = fakeKafka();
    const committer = new OffsetCommitter(kafka.commit, quiet);
    committer.enqueue('t', 0, '10');
    committer.enqueue('t', 1, '5');
    committer.enqueue('t', 0, '12');
    await kafka.answer();
    expect(kafka.commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '12' },
        { topic: 't', partition: 1, offset: '5' },
      ],
    ]);
    // While a commit is in flight, later offsets wait for the next one.
    committer.enqueue('t', 0, '20');
    await new Promise((resolve) => setImmediate(resolve));
    committer.enqueue('t', 0, '30');
    committer.enqueue('t', 2, '1');
    await kafka.answer();
    await kafka.answer();
    expect(kafka.commits.slice(1)).toEqual([
      [{ topic: 't', partition: 0, offset: '20' }],
      [
        { topic: 't', partition: 0, offset: '30' },
        { topic: 't', partition: 2, offset: '1' },
      ],
    ]);
    expect(kafka.maxInFlight()).toBe(1);
  });

  it('drops a failed commit and goes on; drain() waits until everything enqueued is committed', async () => {
    const kafka = fakeKafka();
    const committer = new OffsetCommitter(kafka.commit, quiet);
    kafka.failNextCommit();
    committer.enqueue('t', 0, '10');
    await kafka.answer();
    committer.enqueue('t', 0, '11');
    let drained = false;
    const draining = committer.drain().then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    await kafka.answer();
    await draining;
    expect(kafka.commits.map((offsets) => offsets[0]!.offset)).toEqual(['10', '11']);
  });

  it('spaces commits by minIntervalMs, but drain() and flushNow() do not wait for it', async () => {
    // Fake clock: the spacing is checked to the millisecond without depending on how busy the
    // machine is (the real-clock version failed on a loaded machine). setImmediate stays real:
    // the fake Kafka's answer() polls with it.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      const kafka = fakeKafka();
      const settle = async () => {
        for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      };
      const committer = new OffsetCommitter((offsets) => kafka.commit(offsets), quiet, {
        minIntervalMs: 40,
      });
      committer.enqueue('t', 0, '1');
      await kafka.answer();
      committer.enqueue('t', 0, '2');
      await settle();
      jest.advanceTimersByTime(39);
      await settle();
      expect(kafka.commits).toHaveLength(1);
      jest.advanceTimersByTime(1);
      await kafka.answer();
      expect(kafka.commits).toHaveLength(2);
      // drain() sends at once, without the clock moving.
      committer.enqueue('t', 0, '3');
      const draining = committer.drain();
      await kafka.answer();
      await draining;
      // A rebalance is coming: flushNow() sends now, not an interval later.
      committer.enqueue('t', 0, '4');
      committer.flushNow();
      await kafka.answer();
      expect(kafka.commits.map((offsets) => offsets[0]!.offset)).toEqual(['1', '2', '3', '4']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('never sets a negative timer while it waits out minIntervalMs', async () => {
    // A clock that moves 10 ms at every reading: two readings of the time left before the next
    // commit may go (15 ms after the last began) differ in sign, as on a busy machine.
    let now = 0;
    const clock = jest.spyOn(performance, 'now').mockImplementation(() => (now += 10));
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    const timers = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      ms?: number,
    ) => {
      delays.push(ms ?? 0);
      return realSetTimeout(callback, ms);
    }) as typeof setTimeout);
    try {
      const kafka = fakeKafka();
      const committer = new OffsetCommitter(kafka.commit, quiet, { minIntervalMs: 15 });
      committer.enqueue('t', 0, '1');
      await new Promise((resolve) => setImmediate(resolve));
      committer.enqueue('t', 0, '2'); // while the first commit is in flight
      await kafka.answer();
      await kafka.answer();
      expect(kafka.commits.map((offsets) => offsets[0]!.offset)).toEqual(['1', '2']);
      expect(delays.length).toBeGreaterThan(0);
      expect(delays.filter((ms) => ms < 0)).toEqual([]);
    } finally {
      clock.mockRestore();
      timers.mockRestore();
    }
  });
});
