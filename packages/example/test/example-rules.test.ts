import type { ChangeEvent } from '@freshen/change-event';
import rulesModule from '../src/rules.ts';
import { createExampleKeys, createExampleRules, exampleKeys, exampleRules } from '../src/index.ts';

function event(fields: Partial<ChangeEvent> & Pick<ChangeEvent, 'op' | 'table'>): ChangeEvent {
  return {
    v: 1,
    schema: 'public',
    key: {},
    new: null,
    old: null,
    unavailable: [],
    lsn: '0/1',
    xid: 1,
    seq: 0,
    ts: 0,
    ...fields,
  };
}

const ann = {
  id: '1',
  email: 'ann@example.com',
  name: 'Ann',
  bio: 'likes caches',
  updated_at: '2026-01-01 00:00:00+00',
};

describe('example rules', () => {
  it('is the default export of src/rules.ts', () => {
    expect(rulesModule).toBe(exampleRules);
    expect(exampleRules.tables).toEqual([
      'public.users',
      'public.teams',
      'public.team_members',
      'public.products',
      'public.orders',
    ]);
  });

  it('refreshes a user and invalidates the old and new email key on an email change', () => {
    const actions = exampleRules.evaluate(
      event({ op: 'update', table: 'users', new: { ...ann, email: 'ann@new.example' }, old: ann }),
    );
    expect(actions.map((a) => `${a.kind} ${a.key}`)).toEqual([
      'refresh app:user:1',
      'delete app:user-by-email:ann%40new.example',
      'delete app:user-by-email:ann%40example.com',
    ]);
    expect(JSON.parse((actions[0] as { value: string }).value)).toEqual({
      ...ann,
      email: 'ann@new.example',
    });
  });

  it('deletes instead of refreshing a user whose bio Postgres did not resend (unchanged TOAST)', () => {
    const { bio: _bio, ...withoutBio } = ann;
    const actions = exampleRules.evaluate(
      event({ op: 'update', table: 'users', new: withoutBio, old: ann, unavailable: ['bio'] }),
    );
    expect(actions).toEqual([
      { kind: 'delete', key: 'app:user:1' },
      { kind: 'delete', key: 'app:user-by-email:ann%40example.com' },
    ]);
  });

  it("refreshes products with a TTL, by id and by sku, and invalidates its category's tag", () => {
    const value = { id: '5', sku: 'SKU 5', name: 'Lamp', price: '19.90', stock: 3 };
    const row = { ...value, units_sold: 0, category_id: '2' };
    const actions = exampleRules.evaluate(event({ op: 'insert', table: 'products', new: row }));
    expect(actions).toEqual([
      {
        kind: 'refresh',
        key: exampleKeys.product.key({ id: 5 }),
        value: JSON.stringify(value),
        ttlMs: 5 * 60_000,
      },
      {
        kind: 'refresh',
        key: 'app:product-by-sku:SKU%205',
        value: JSON.stringify(value),
        ttlMs: 5 * 60_000,
      },
      { kind: 'invalidate-tag', key: 'app:products-in-category:{2}' },
    ]);
    expect(
      exampleRules.evaluateStructures(event({ op: 'insert', table: 'products', new: row })),
    ).toMatchObject([
      { structure: 'zset', op: 'add', key: 'app:products-by-units-sold', member: '5' },
    ]);
  });

  it('moves a product between category listings: both tags go', () => {
    const before = { id: '5', sku: 's', name: 'n', price: '1.00', stock: 1, units_sold: 0 };
    const actions = exampleRules.evaluate(
      event({
        op: 'update',
        table: 'products',
        new: { ...before, category_id: '3' },
        old: { ...before, category_id: '2' },
      }),
    );
    expect(actions.filter((action) => action.kind === 'invalidate-tag').map((a) => a.key)).toEqual([
      'app:products-in-category:{3}',
      'app:products-in-category:{2}',
    ]);
  });

  it('fans a team membership change out to the team list and the user list', () => {
    const actions = exampleRules.evaluate(
      event({ op: 'delete', table: 'team_members', old: { team_id: '7', user_id: '1' } }),
    );
    expect(actions.map((a) => a.key)).toEqual(['app:team-members:{7}', 'app:user-teams:1']);
  });

  it('invalidates an order and its user list on delete', () => {
    const actions = exampleRules.evaluate(
      event({
        op: 'delete',
        table: 'orders',
        old: { id: '9', user_id: '1', product_id: '5', qty: 1 },
      }),
    );
    expect(actions.map((a) => a.key)).toEqual(['app:order:9', 'app:user-orders:1']);
  });

  it('covers every kind of a table on truncate', () => {
    expect(exampleRules.truncatePatterns('public', 'orders')).toEqual([
      'app:order:*',
      'app:user-orders:*',
    ]);
  });

  it('can be made for another schema and key prefix', () => {
    const rules = createExampleRules('shop', createExampleKeys('t1'));
    expect(rules.hasTable('shop', 'users')).toBe(true);
    expect(rules.hasTable('public', 'users')).toBe(false);
    expect(rules.truncatePatterns('shop', 'users')).toEqual(['t1:user:*', 't1:user-by-email:*']);
  });
});
