import { backoffDelay } from '../src/index.ts';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, jittered into the upper half', () => {
    expect(backoffDelay(0, { initialMs: 100 }, () => 1)).toBe(100);
    expect(backoffDelay(3, { initialMs: 100 }, () => 1)).toBe(800);
    expect(backoffDelay(3, { initialMs: 100 }, () => 0)).toBe(400);
    expect(backoffDelay(50, { initialMs: 100, maxMs: 5000 }, () => 1)).toBe(5000);
  });
});
