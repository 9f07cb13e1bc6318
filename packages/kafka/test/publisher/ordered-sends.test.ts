import { OrderedSends } from '../../src/publisher/ordered-sends.ts';

/** A send the test finishes by hand, recording when it started. */
function manualSend(log: string[], name: string) {
  let finish!: (error?: Error) => void;
  const send = () => {
    log.push(`start ${name}`);
    return new Promise<void>((resolve, reject) => {
      finish = (error) => (error ? reject(error) : resolve());
    });
  };
  return { send, finish: (error?: Error) => finish(error) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('OrderedSends', () => {
  it('starts each send only after the one before it succeeded', async () => {
    const sends = new OrderedSends();
    const log: string[] = [];
    const first = manualSend(log, 'first');
    const second = manualSend(log, 'second');
    const done = [sends.run(first.send), sends.run(second.send)];
    await settle();
    expect(log).toEqual(['start first']);
    first.finish();
    await settle();
    expect(log).toEqual(['start first', 'start second']);
    second.finish();
    await expect(Promise.all(done)).resolves.toEqual([undefined, undefined]);
  });

  it('after a failure sends nothing, even what is handed over later, until a resend', async () => {
    const sends = new OrderedSends();
    const log: string[] = [];
    const first = manualSend(log, 'first');
    const queued = manualSend(log, 'queued');
    const failed = sends.run(first.send);
    const heldBack = sends.run(queued.send);
    await settle();
    first.finish(new Error('broker gone'));
    await expect(failed).rejects.toThrow('broker gone');
    await expect(heldBack).rejects.toThrow('not sent: an earlier batch failed (broker gone)');

    // Handed over after the failure settled (a caller on another thread had not heard of it yet).
    const late = manualSend(log, 'late');
    await expect(sends.run(late.send)).rejects.toThrow('not sent');
    expect(log).toEqual(['start first']);

    // The caller resends the failed batch, then the rest in order.
    const again = manualSend(log, 'first again');
    const next = manualSend(log, 'queued again');
    const resent = sends.run(again.send, true);
    const after = sends.run(next.send);
    await settle();
    again.finish();
    await settle();
    next.finish();
    await expect(Promise.all([resent, after])).resolves.toEqual([undefined, undefined]);
    expect(log).toEqual(['start first', 'start first again', 'start queued again']);
  });

  it('holds back sends behind a failed resend too', async () => {
    const sends = new OrderedSends();
    const log: string[] = [];
    const retry = manualSend(log, 'retry');
    const behind = manualSend(log, 'behind');
    const resent = sends.run(retry.send, true);
    const heldBack = sends.run(behind.send);
    await settle();
    retry.finish(new Error('still down'));
    await expect(resent).rejects.toThrow('still down');
    await expect(heldBack).rejects.toThrow('not sent');
    expect(log).toEqual(['start retry']);
  });
});
