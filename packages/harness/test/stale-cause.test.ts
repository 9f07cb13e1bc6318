import { RunHistory } from '../src/run-history.ts';
import { classifyStale, type CheckedKindName } from '../src/stale-cause.ts';

/** Each cause the checker prints must be derived from the key, the two values and the history. */
const history = new RunHistory();
history.movedUsers.set('7', '70');
history.truncatedOrders.add('5');
history.truncatedMemberships.add('2:9');

const user = (id: string, updatedAt = '2026-12-01 18:08:20.660493+00') => ({
  id,
  email: `u${id}@example.com`,
  name: 'U',
  bio: '',
  updated_at: updatedAt,
});
const order = (id: string, status = 'pending') => ({
  id,
  user_id: '3',
  product_id: '1',
  qty: 1,
  status,
  created_at: '2026-12-01 18:08:20.660493+00',
});
const cause = (
  kind: CheckedKindName,
  params: Record<string, string>,
  cached: unknown,
  actual: unknown,
) => classifyStale({ kind, params, cached, actual, history });

it('names a text-form difference: a timestamp without microseconds in ISO form', () => {
  expect(cause('user', { id: '1' }, user('1', '2026-12-01T18:08:20.660Z'), user('1'))).toBe(
    'text-form',
  );
  expect(cause('product', { id: '1' }, { price: 10.5 }, { price: '10.50' })).toBe('text-form');
});

it('names rows a truncate removed, and a moved row by its old key or id', () => {
  expect(cause('order', { id: '5' }, order('5'), null)).toBe('truncated-row');
  expect(cause('order', { id: '5' }, order('5'), order('5', 'reinserted'))).toBe('truncated-row');
  expect(cause('user-orders', { user_id: '3' }, [order('5')], [])).toBe('truncated-row');
  expect(cause('team-members', { team_id: '2' }, [{ user_id: '9', role: 'member' }], [])).toBe(
    'truncated-row',
  );
  expect(cause('user', { id: '7' }, user('7'), null)).toBe('moved-row-key');
  expect(cause('user-by-email', { email: 'u7@example.com' }, '7', '70')).toBe(
    'moved-row-reference',
  );
  expect(
    cause(
      'team-members',
      { team_id: '1' },
      [{ user_id: '7', role: 'member' }],
      [{ user_id: '70', role: 'member' }],
    ),
  ).toBe('moved-row-reference');
});

it('names the other differences', () => {
  expect(cause('user', { id: '1' }, user('1'), null)).toBe('deleted-row');
  expect(cause('user', { id: '1' }, null, user('1'))).toBe('negative-cached');
  expect(cause('order', { id: '6' }, order('6'), order('6', 'shipped'))).toBe('hash-field');
  expect(cause('user', { id: '1' }, user('1'), user('1', '2026-12-01 18:09:00.000001+00'))).toBe(
    'older-value',
  );
  expect(cause('user-orders', { user_id: '3' }, [order('6')], [order('6'), order('8')])).toBe(
    'list-differs',
  );
  expect(cause('product', { id: '1' }, { price: '1.00' }, { price: '2.00' })).toBe('value-differs');
});
