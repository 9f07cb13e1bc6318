import { isFreshenError } from '@freshen/runtime';
import { defineKeyspace, hashSlot, isTagKind } from '../src/index.ts';

describe('keyspace.tag', () => {
  const app = defineKeyspace({ prefix: 'app' });
  const listing = app.kind('products-by-category', ['category_id'], { hashTag: 'category_id' });
  const inCategory = app.tag('products-in-category', ['category_id']);
  const colocated = app.tag('category-products', ['category_id'], { hashTag: 'category_id' });

  it('names a tag with the key encoding', () => {
    expect(inCategory.tag({ category_id: 7 })).toEqual({
      kind: 'products-in-category',
      key: 'app:products-in-category:7',
    });
    expect(inCategory.key({ category_id: 'a:b{c}*' })).toBe(
      'app:products-in-category:a%3Ab%7Bc%7D%2A',
    );
    expect(inCategory.pattern()).toBe('app:products-in-category:*');
    expect(isTagKind(inCategory)).toBe(true);
    expect(isTagKind(listing)).toBe(false);
  });

  it('puts a tag in its keys slot with the same hash tag', () => {
    const key = listing.key({ category_id: 7 });
    const tag = colocated.key({ category_id: 7 });
    expect(tag).toBe('app:category-products:{7}');
    expect(hashSlot(tag)).toBe(hashSlot(key));
  });

  it('refuses a tag name that a key kind has, and the reverse', () => {
    for (const declare of [
      () => app.tag('products-by-category', ['id']),
      () => app.kind('products-in-category', ['id']),
    ]) {
      let error: unknown;
      try {
        declare();
      } catch (caught) {
        error = caught;
      }
      expect(isFreshenError(error) && error.code).toBe('KEY_INVALID');
    }
    expect(app.tags.map((tag) => tag.name)).toEqual(['products-in-category', 'category-products']);
  });

  it('checks parameter names and the hash tag as for keys', () => {
    expect(() => app.tag('bad', ['A'])).toThrow(/lowercase/);
    // @ts-expect-error the hash tag must be one of the parameters
    expect(() => app.tag('bad-tag', ['id'], { hashTag: 'other' })).toThrow(/not one of/);
  });
});
