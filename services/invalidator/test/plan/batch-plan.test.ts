import { encodeEvent, type ChangeEvent } from '@freshen/change-event';
import type { ConsumedMessage } from '@freshen/kafka';
import { planBatch } from '../../src/plan/batch-plan.ts';
import { eventVersion } from '@freshen/storage';
import { itemEvent } from '../support/events.ts';
import { testRules } from '../support/test-rules.ts';

const { rules, item, group } = testRules('plan');
let offset = 0;
const message = (value: Buffer | string | null): ConsumedMessage => ({
  topic: 't',
  partition: 0,
  offset: String(offset++),
  key: null,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  timestamp: Date.now(),
});
const of = (...events: ChangeEvent[]) => events.map((event) => message(encodeEvent(event)));
/** The delete of `key` by `event`; `refreshedBefore`: the same batch refreshed the key first. */
const deleteBy = (event: ChangeEvent, key: string, refreshedBefore = false) => ({
  key,
  version: eventVersion(event),
  refreshedBefore,
});

describe('planBatch', () => {
  it('keeps only the last action per key, so a delete after a refresh wins, and marks that it was refreshed', () => {
    const deleted = itemEvent('app', 1, { mode: 'delete' });
    const plan = planBatch(of(itemEvent('app', 1, { mode: 'refresh' }), deleted), rules);
    expect(plan.steps).toEqual([
      {
        kind: 'apply',
        work: { deletes: [deleteBy(deleted, item.key({ id: 1 }), true)], refreshes: [] },
      },
    ]);
  });

  it('remembers a refresh across later deletes of the key in the batch', () => {
    const last = itemEvent('app', 1, { mode: 'delete', n: 3 });
    const plan = planBatch(
      of(
        itemEvent('app', 1, { mode: 'refresh' }),
        itemEvent('app', 1, { mode: 'delete', n: 2 }),
        last,
      ),
      rules,
    );
    expect(plan.steps[0]).toEqual({
      kind: 'apply',
      work: { deletes: [deleteBy(last, item.key({ id: 1 }), true)], refreshes: [] },
    });
  });

  it('keeps the last refresh of a key with its own LSN as version', () => {
    const first = itemEvent('app', 1, { mode: 'delete' });
    const last = itemEvent('app', 1, { mode: 'refresh', n: 2 });
    const plan = planBatch(of(first, last), rules);
    expect(plan.steps).toEqual([
      {
        kind: 'apply',
        work: {
          deletes: [],
          refreshes: [
            {
              key: item.key({ id: 1 }),
              value: JSON.stringify(last.new),
              ttlMs: 60_000,
              version: eventVersion(last),
            },
          ],
        },
      },
    ]);
  });

  it('fans one change out to every key its rule names', () => {
    const event = itemEvent('app', 1, { groups: ['a', 'b'] });
    const plan = planBatch(of(event), rules);
    expect(plan.steps[0]).toEqual({
      kind: 'apply',
      work: {
        deletes: [item.key({ id: 1 }), group.key({ name: 'a' }), group.key({ name: 'b' })].map(
          (key) => deleteBy(event, key),
        ),
        refreshes: [],
      },
    });
  });

  it('splits the batch at a truncate so work before and after it keeps its order', () => {
    const truncate = itemEvent('app', 0, null, { op: 'truncate', key: {} });
    const plan = planBatch(of(itemEvent('app', 1, {}), truncate, itemEvent('app', 2, {})), rules);
    expect(plan.steps.map((step) => step.kind)).toEqual(['apply', 'truncate', 'apply']);
    expect(plan.steps[1]).toEqual({
      kind: 'truncate',
      schema: 'app',
      table: 'items',
      patterns: [item.pattern(), group.pattern()],
      version: eventVersion(truncate),
    });
  });

  it('dead-letters undecodable messages, unknown versions and throwing rules, and plans the rest', () => {
    const planned = itemEvent('app', 3, {});
    const messages = [
      message('{not json'),
      message(JSON.stringify({ ...itemEvent('app', 1, {}), v: 2 })),
      ...of(itemEvent('app', 2, { explode: true })),
      message(null),
      ...of(planned),
    ];
    const plan = planBatch(messages, rules);
    expect(plan.deadLetters.map((letter) => [letter.message.offset, letter.errorCode])).toEqual([
      [messages[0]!.offset, 'EVENT_UNDECODABLE'],
      [messages[1]!.offset, 'EVENT_UNDECODABLE'],
      [messages[2]!.offset, 'RULE_FAILED'],
      [messages[3]!.offset, 'EVENT_UNDECODABLE'],
    ]);
    expect(plan.deadLetters[1]!.errorMessage).toMatch(/unknown format version 2/);
    expect(plan.steps).toEqual([
      { kind: 'apply', work: { deletes: [deleteBy(planned, item.key({ id: 3 }))], refreshes: [] } },
    ]);
  });

  it('dead-letters a refresh with an unusable TTL instead of letting Redis refuse it forever', () => {
    const bad = {
      ...rules,
      evaluate: () => [{ kind: 'refresh' as const, key: 'plan:item:1', value: '{}', ttlMs: 0 }],
    };
    const plan = planBatch(of(itemEvent('app', 1, {})), bad);
    expect(plan.deadLetters[0]?.errorCode).toBe('RULE_FAILED');
    expect(plan.steps).toEqual([]);
  });

  it('keeps a rule set’s own error text (which may quote row values) out of the loggable message (regression: an email reached the log)', () => {
    const leaky = {
      ...rules,
      evaluate: () => {
        throw new TypeError('no account for ada@example.com');
      },
    };
    const [letter] = planBatch(of(itemEvent('app', 1, {})), leaky).deadLetters;
    expect(letter).toMatchObject({
      errorCode: 'RULE_FAILED',
      errorMessage: 'TypeError while processing the message',
      errorDetail: 'no account for ada@example.com',
    });
  });

  it('skips and counts tables without rules', () => {
    const plan = planBatch(of(itemEvent('other', 1, {})), rules);
    expect(plan).toMatchObject({ skipped: 1, steps: [], deadLetters: [] });
  });
});
