import { encodeEvent, type ChangeEvent } from '@freshen/change-event';
import { eventVersion } from '@freshen/storage';
import { planBatch } from '../../src/plan/batch-plan.ts';
import { itemEvent } from '../support/events.ts';
import { structureEvent, structureRules } from '../support/structure-rules.ts';

const { rules, leaderboard, schema } = structureRules('t');
const of = (...events: ChangeEvent[]) =>
  events.map((event, index) => ({
    topic: 't',
    partition: 0,
    offset: String(index),
    key: null,
    value: Buffer.from(encodeEvent(event)),
    timestamp: 0,
  }));
const product = (op: 'insert' | 'delete', id: number, units = 0) =>
  structureEvent(schema, 'products', op, {
    key: { id },
    ...(op === 'insert' && { new: { id, units_sold: units, listed: true } }),
  });

describe('planBatch with structures', () => {
  it("keeps each member's last change of a segment, with that change's version", () => {
    const last = product('delete', 1);
    const plan = planBatch(of(product('insert', 1, 5), product('insert', 2, 6), last), rules);
    expect(plan.steps).toEqual([
      {
        kind: 'apply',
        work: {
          deletes: [],
          refreshes: [],
          structures: [
            expect.objectContaining({ op: 'add', member: '2', value: '6' }),
            {
              op: 'remove',
              structure: 'zset',
              key: leaderboard.key({}),
              member: '1',
              version: eventVersion(last),
            },
          ],
        },
      },
    ]);
  });

  it('does not carry a change across a truncate of the table', () => {
    const truncate = itemEvent(schema, 0, null, { op: 'truncate', table: 'products', key: {} });
    const plan = planBatch(of(product('insert', 1, 5), truncate, product('insert', 2, 6)), rules);
    expect(plan.steps.map((step) => step.kind)).toEqual(['apply', 'truncate', 'apply']);
  });
});
