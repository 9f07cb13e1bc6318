import { defineKeyspace } from '@freshen/keys';
import { isFreshenError } from '@freshen/runtime';
import { defineRules, refresh, serializeJson, tableRule } from '../../src/index.ts';
import { changeEvent } from '../change-event-fixture.ts';

const item = defineKeyspace({ prefix: 't' }).kind('item', ['id']);

describe('refresh targets', () => {
  it('serializes with JSON by default, bigints as text', () => {
    expect(serializeJson({ id: 12345678901234567890n, name: 'a' })).toBe(
      '{"id":"12345678901234567890","name":"a"}',
    );
  });

  it('uses a custom serializer when given', () => {
    const rules = defineRules(
      tableRule('public.items', {
        reads: ['id', 'name'],
        produces: [item],
        keys: ({ new: row }) =>
          row ? [refresh(item, { id: row.id }, row.name, { ttlMs: 5, serialize: String })] : [],
      }),
    );
    expect(
      rules.evaluate(changeEvent({ op: 'insert', table: 'items', new: { id: 1, name: 'lamp' } })),
    ).toEqual([{ kind: 'refresh', key: 't:item:1', value: 'lamp', ttlMs: 5 }]);
  });

  it('rejects a TTL that is not a positive integer of milliseconds', () => {
    for (const ttlMs of [0, -1, 1.5, Number.NaN]) {
      let caught: unknown;
      try {
        refresh(item, { id: 1 }, {}, { ttlMs });
      } catch (error) {
        caught = error;
      }
      expect(isFreshenError(caught, 'RULE_FAILED')).toBe(true);
    }
  });

  it('fails the rule when a value does not serialize to a string', () => {
    const rules = defineRules(
      tableRule('public.items', {
        reads: ['id'],
        produces: [item],
        keys: ({ new: row }) =>
          row ? [refresh(item, { id: row.id }, undefined, { ttlMs: 5 })] : [],
      }),
    );
    expect(() =>
      rules.evaluate(changeEvent({ op: 'insert', table: 'items', new: { id: 1 } })),
    ).toThrow(/did not serialize to a string/);
  });
});
