import { LsnTracker } from '../../src/confirming/lsn-tracker.ts';

describe('LsnTracker', () => {
  it('confirms a commit only when it and every earlier transaction are acknowledged', () => {
    const tracker = new LsnTracker(100n);
    const a = tracker.begin(1);
    tracker.add(a);
    tracker.add(a);
    tracker.commit(a, 200n);
    const b = tracker.begin(1);
    tracker.add(b);
    tracker.commit(b, 300n);
    tracker.ack(b);
    expect(tracker.durableLsn).toBe(100n); // b is acked but a is not
    tracker.ack(a);
    expect(tracker.durableLsn).toBe(100n); // a has one event left
    tracker.ack(a);
    expect(tracker.durableLsn).toBe(300n);
    expect(tracker.idle).toBe(true);
  });

  it('never confirms an open transaction, even with all its events acknowledged', () => {
    const tracker = new LsnTracker(0n);
    const open = tracker.begin(1);
    tracker.add(open);
    tracker.ack(open);
    expect(tracker.durableLsn).toBe(0n);
    expect(tracker.observeIdlePosition(500n)).toBe(false);
    tracker.commit(open, 400n);
    expect(tracker.durableLsn).toBe(400n);
  });

  it('moves to a keepalive position only when nothing is in flight', () => {
    const tracker = new LsnTracker(10n);
    expect(tracker.observeIdlePosition(50n)).toBe(true);
    expect(tracker.durableLsn).toBe(50n);
    const t = tracker.begin(1);
    tracker.add(t);
    tracker.commit(t, 60n);
    expect(tracker.observeIdlePosition(90n)).toBe(false);
    expect(tracker.durableLsn).toBe(50n);
    tracker.ack(t);
    expect(tracker.durableLsn).toBe(60n);
    expect(tracker.observeIdlePosition(40n)).toBe(false); // never backwards
  });

  it('keeps working across many transactions (queue compaction)', () => {
    const tracker = new LsnTracker(0n);
    const txns = Array.from({ length: 5000 }, (_, i) => {
      const txn = tracker.begin(1);
      tracker.add(txn);
      tracker.commit(txn, BigInt(i + 1));
      return txn;
    });
    for (const txn of txns) tracker.ack(txn);
    expect(tracker.durableLsn).toBe(5000n);
    expect(tracker.idle).toBe(true);
  });
});
