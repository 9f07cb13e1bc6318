import { defineKeyspace } from '@freshen/keys';
import { isFreshenError } from '@freshen/runtime';
import { defineRules, invalidate, invalidateTag, tableRule } from '../../src/index.ts';
import { changeEvent } from '../change-event-fixture.ts';

const space = defineKeyspace({ prefix: 't' });
const product = space.kind('product', ['id']);
const productsInCategory = space.tag('products-in-category', ['category_id']);

const rules = defineRules(
  tableRule('public.products', {
    reads: ['id', 'category_id'],
    readsOld: ['id', 'category_id'],
    produces: [product, productsInCategory],
    *keys({ new: row, old }) {
      const id = (row ?? old)?.id;
      if (id !== undefined) yield invalidate(product, { id });
      // The listing a product leaves and the one it joins.
      if (old) yield invalidateTag(productsInCategory, { category_id: old.category_id });
      if (row) yield invalidateTag(productsInCategory, { category_id: row.category_id });
    },
  }),
);

describe('invalidateTag', () => {
  it('invalidates the tags of the old and the new row, once each', () => {
    const moved = changeEvent({
      op: 'update',
      table: 'products',
      new: { id: 1, category_id: 7 },
      old: { id: 1, category_id: 3 },
    });
    expect(rules.evaluate(moved)).toEqual([
      { kind: 'delete', key: 't:product:1' },
      { kind: 'invalidate-tag', key: 't:products-in-category:3' },
      { kind: 'invalidate-tag', key: 't:products-in-category:7' },
    ]);
    const stayed = changeEvent({
      op: 'update',
      table: 'products',
      new: { id: 1, category_id: 7 },
      old: { id: 1, category_id: 7 },
    });
    expect(rules.evaluate(stayed)).toEqual([
      { kind: 'delete', key: 't:product:1' },
      { kind: 'invalidate-tag', key: 't:products-in-category:7' },
    ]);
  });

  it('skips a tag whose parameter is NULL', () => {
    const event = changeEvent({
      op: 'insert',
      table: 'products',
      new: { id: 2, category_id: null },
    });
    expect(rules.evaluate(event)).toEqual([{ kind: 'delete', key: 't:product:2' }]);
  });

  it('TRUNCATE covers the tag kinds the table produces', () => {
    expect(rules.truncatePatterns('public', 'products')).toEqual([
      't:product:*',
      't:products-in-category:*',
    ]);
  });

  it('refuses a tag kind missing from produces', () => {
    const other = space.tag('other-tag', ['id']);
    const bad = defineRules(
      tableRule('public.products', {
        reads: ['id'],
        produces: [product],
        // @ts-expect-error other is not in produces
        keys: ({ new: row }) => [invalidateTag(other, { id: row?.id })],
      }),
    );
    let caught: unknown;
    try {
      bad.evaluate(changeEvent({ op: 'insert', table: 'products', new: { id: 1 } }));
    } catch (error) {
      caught = error;
    }
    expect(isFreshenError(caught, 'RULE_FAILED')).toBe(true);
    expect((caught as Error).message).toMatch(/other-tag.*produces/);
  });
});
