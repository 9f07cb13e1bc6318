import { isFreshenError } from '@freshen/runtime';
import { decodeEvent, encodeEvent, messageKey, type ChangeEvent } from '../src/index.ts';

const update: ChangeEvent = {
  v: 1,
  op: 'update',
  schema: 'public',
  table: 'users',
  key: { id: '42' },
  new: { id: '42', email: 'new@example.com' },
  old: { id: '42', email: 'old@example.com' },
  unavailable: ['bio'],
  lsn: '0/16B3748',
  xid: 750,
  seq: 0,
  ts: 1_764_000_000_000,
};

describe('change-event codec', () => {
  it('round-trips an event', () => {
    expect(decodeEvent(encodeEvent(update))).toEqual(update);
  });

  it.each([
    ['not json', '{', /value is not JSON/],
    [
      'unknown version',
      JSON.stringify({ ...update, v: 2 }),
      /unknown format version 2 \(this build reads v1\)/,
    ],
    [
      'bad op',
      JSON.stringify({ ...update, op: 'upsert' }),
      /op must be one of insert, update, delete, truncate/,
    ],
    ['bad lsn', JSON.stringify({ ...update, lsn: '42' }), /lsn must be an LSN string/],
    [
      'update without new row',
      JSON.stringify({ ...update, new: null }),
      /update must carry a new row/,
    ],
  ])('rejects %s with a reason', (_name, raw, reason) => {
    let error: unknown;
    try {
      decodeEvent(raw);
    } catch (caught) {
      error = caught;
    }
    expect(isFreshenError(error, 'EVENT_UNDECODABLE')).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });

  it('keys messages by table and primary key', () => {
    expect(messageKey(update)).toBe('public.users:42');
    expect(
      messageKey({ schema: 'public', table: 'team_members', key: { team_id: '7', user_id: '42' } }),
    ).toBe('public.team_members:["7","42"]');
  });
});
