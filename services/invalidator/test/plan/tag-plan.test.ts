import { encodeEvent, type ChangeEvent } from '@freshen/change-event';
import type { ConsumedMessage } from '@freshen/kafka';
import { defineKeyspace } from '@freshen/keys';
import { defineRules, invalidate, invalidateTag, tableRule } from '@freshen/rules';
import { planBatch } from '../../src/plan/batch-plan.ts';
import { itemEvent } from '../support/events.ts';

const space = defineKeyspace({ prefix: 'plan' });
const item = space.kind('item', ['id'] as const);
const inCategory = space.tag('in-category', ['category_id'] as const);
const rules = defineRules(
  tableRule('app.items', {
    reads: ['id', 'category_id'],
    produces: [item, inCategory],
    *keys({ new: row }) {
      if (!row) return;
      yield invalidate(item, { id: row.id });
      yield invalidateTag(inCategory, { category_id: row.category_id });
    },
  }),
);
const of = (...events: ChangeEvent[]) =>
  events.map((event, offset): ConsumedMessage => ({
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: null,
    value: encodeEvent(event),
    timestamp: Date.now(),
  }));

describe('planBatch with tags', () => {
  it('invalidates each tag of a segment once, and keeps the segments around a truncate', () => {
    const plan = planBatch(
      of(
        itemEvent('app', 1, { category_id: 7 }),
        itemEvent('app', 2, { category_id: 7 }),
        itemEvent('app', 0, null, { op: 'truncate', key: {} }),
        itemEvent('app', 3, { category_id: 8 }),
      ),
      rules,
    );
    expect(
      plan.steps.map((step) => (step.kind === 'apply' ? step.work.tags : step.patterns)),
    ).toEqual([
      ['plan:in-category:7'],
      ['plan:item:*', 'plan:in-category:*'],
      ['plan:in-category:8'],
    ]);
  });
});
