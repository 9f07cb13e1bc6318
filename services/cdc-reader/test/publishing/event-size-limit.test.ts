import type { ChangeEvent } from '@freshen/change-event';
import { fitEvent, truncateInstead } from '../../src/publishing/event-size-limit.ts';

const event = (overrides: Partial<ChangeEvent>): ChangeEvent => ({
  v: 1,
  op: 'update',
  schema: 'public',
  table: 'docs',
  key: { id: 1 },
  new: { id: 1, title: 't', body: 'b'.repeat(5000), summary: 's'.repeat(2000) },
  old: null,
  unavailable: [],
  lsn: '0/1',
  xid: 1,
  seq: 0,
  ts: 0,
  ...overrides,
});

describe('fitEvent', () => {
  it('leaves an event that fits as it is', () => {
    const small = event({ new: { id: 1, title: 't' } });
    expect(fitEvent(small, 1024)).toMatchObject({ event: small, reduced: false });
  });

  it('leaves out the largest values of new first and lists them as unavailable', () => {
    const fitted = fitEvent(event({}), 3000)!;
    expect(fitted.reduced).toBe(true);
    expect(fitted.event.new).toEqual({ id: 1, title: 't', summary: 's'.repeat(2000) });
    expect(fitted.event.unavailable).toEqual(['body']);
    expect(fitted.bytes).toBeLessThanOrEqual(3000);
    expect(fitted.value).toBe(JSON.stringify(fitted.event));
  });

  it('drops values of old after those of new, and never a key column', () => {
    const big = event({
      key: { id: 'k'.repeat(300) },
      new: { id: 'k'.repeat(300), body: 'b'.repeat(5000) },
      old: { id: 'k'.repeat(300), body: 'o'.repeat(5000) },
    });
    const fitted = fitEvent(big, 1200)!;
    expect(fitted.event.new).toEqual({ id: 'k'.repeat(300) });
    expect(fitted.event.old).toEqual({ id: 'k'.repeat(300) });
    expect(fitted.event.key).toEqual(big.key);
    expect(fitted.event.unavailable).toEqual(['body']);
  });

  it('gives up when the key alone is too large; the stand-in is a truncate of the table', () => {
    const big = event({ key: { id: 'k'.repeat(3000) }, new: { id: 'k'.repeat(3000) } });
    expect(fitEvent(big, 2048)).toBeUndefined();
    expect(truncateInstead(big)).toMatchObject({
      op: 'truncate',
      schema: 'public',
      table: 'docs',
      key: {},
      new: null,
      old: null,
      lsn: '0/1',
    });
  });
});
