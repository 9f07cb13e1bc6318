import { shouldRefreshEarly } from '../../src/reading/xfetch.ts';

describe('shouldRefreshEarly (XFetch)', () => {
  it('never refreshes values without a recorded load time (plain values written by a refresh)', () => {
    expect(shouldRefreshEarly(undefined, 1, 1, () => 0.999999)).toBe(false);
  });

  it('is disabled by beta 0 and never fires for keys without expiry', () => {
    expect(shouldRefreshEarly(100, 1, 0, () => 0.999999)).toBe(false);
    expect(shouldRefreshEarly(100, -1, 1, () => 0.999999)).toBe(false);
  });

  it('fires when -delta * beta * ln(1 - r) reaches the remaining TTL', () => {
    // -100 * ln(1 - 0.5) = 69.3 ms of "gap".
    expect(shouldRefreshEarly(100, 69, 1, () => 0.5)).toBe(true);
    expect(shouldRefreshEarly(100, 70, 1, () => 0.5)).toBe(false);
    expect(shouldRefreshEarly(100, 138, 2, () => 0.5)).toBe(true);
  });

  it('refreshes more often as expiry nears and as loads get slower', () => {
    let state = 7;
    const random = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647;
    };
    const rate = (loadMs: number, remainingMs: number) => {
      let fired = 0;
      for (let i = 0; i < 10_000; i++)
        if (shouldRefreshEarly(loadMs, remainingMs, 1, random)) fired++;
      return fired / 10_000;
    };
    expect(rate(50, 10)).toBeGreaterThan(rate(50, 100));
    expect(rate(50, 100)).toBeGreaterThan(rate(50, 1_000));
    expect(rate(200, 100)).toBeGreaterThan(rate(50, 100));
    // P(fire) = exp(-remaining / delta): exp(-2) = 0.135 for remaining = 2 * delta.
    expect(rate(50, 100)).toBeCloseTo(Math.exp(-2), 1);
  });
});
