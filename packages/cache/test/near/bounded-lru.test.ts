import { BoundedLru, type EvictionReason } from '../../src/near/bounded-lru.ts';
import { resolveNearCacheOptions } from '../../src/near/near-cache-options.ts';

function lru(maxEntries: number, maxBytes: number) {
  const evicted: EvictionReason[] = [];
  return {
    cache: new BoundedLru({ maxEntries, maxBytes, onEvict: (r) => evicted.push(r) }),
    evicted,
  };
}

/** Holds serialized text, counted as the near cache counts it. */
function hold(cache: BoundedLru, key: string, variant: string, text: string, expiresAtMs: number) {
  cache.set(key, variant, text, 2 * text.length, expiresAtMs);
}

describe('BoundedLru', () => {
  it('evicts the least recently used key beyond maxEntries', () => {
    const { cache, evicted } = lru(2, 1e6);
    hold(cache, 'a', '', '1', Infinity);
    hold(cache, 'b', '', '2', Infinity);
    expect(cache.get('a', '', 0)).toBe('1'); // a is now the most recent
    hold(cache, 'c', '', '3', Infinity);
    expect(cache.get('b', '', 0)).toBeUndefined();
    expect(cache.get('a', '', 0)).toBe('1');
    expect(cache.get('c', '', 0)).toBe('3');
    expect(evicted).toEqual(['capacity']);
  });

  it('keeps a key used all along while a stream of new keys evicts the others', () => {
    const { cache } = lru(100, 1e6);
    for (let index = 0; index < 100; index++) hold(cache, `old${index}`, '', 'x', Infinity);
    hold(cache, 'hot', '', 'h', Infinity);
    for (let index = 0; index < 1_000; index++) {
      hold(cache, `new${index}`, '', 'x', Infinity);
      expect(cache.get('hot', '', 0)).toBe('h');
    }
    expect(cache.size).toBe(100);
    expect(cache.get('old0', '', 0)).toBeUndefined();
  });

  it('evicts in use order after deletes, re-fills and clear', () => {
    const { cache } = lru(3, 1e6);
    for (const key of ['a', 'b', 'c']) hold(cache, key, '', key, Infinity);
    expect(cache.delete('b')).toBe(true);
    hold(cache, 'a', '["f"]', 'a-fields', Infinity); // a re-filled: now the newest
    hold(cache, 'd', '', 'd', Infinity);
    hold(cache, 'e', '', 'e', Infinity); // evicts c, the oldest
    expect(cache.get('c', '', 0)).toBeUndefined();
    expect(cache.get('a', '["f"]', 0)).toBe('a-fields');
    hold(cache, 'f', '', 'f', Infinity); // evicts d (a was just used)
    expect(cache.get('d', '', 0)).toBeUndefined();
    expect([cache.get('a', '', 0), cache.get('e', '', 0), cache.get('f', '', 0)]).toEqual([
      'a',
      'e',
      'f',
    ]);
    cache.clear();
    hold(cache, 'g', '', 'g', Infinity);
    expect(cache.size).toBe(1);
    expect(cache.get('g', '', 0)).toBe('g');
  });

  it('keeps the bytes of keys and copies under maxBytes', () => {
    const { cache } = lru(100, 40);
    hold(cache, 'k1', '', 'x'.repeat(8), Infinity); // 2 * (2 + 8) = 20 bytes
    hold(cache, 'k2', '', 'y'.repeat(8), Infinity);
    expect(cache.bytes).toBe(40);
    hold(cache, 'k3', '', 'z', Infinity);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(40);
    hold(cache, 'huge', '', 'h'.repeat(100), Infinity); // larger than the whole cache: not kept
    expect(cache.get('huge', '', 0)).toBeUndefined();
    // A key that grows past it with another variant is dropped whole.
    hold(cache, 'k3', '["a"]', 'h'.repeat(100), Infinity);
    expect(cache.get('k3', '', 0)).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(40);
    expect(cache.size).toBe(1);
  });

  it('expires entries, and variants of one key share the earliest expiry', () => {
    const { cache, evicted } = lru(10, 1e6);
    hold(cache, 'k', '', 'whole', 100);
    hold(cache, 'k', '["a"]', 'fields', 50);
    expect(cache.get('k', '', 49)).toBe('whole');
    expect(cache.get('k', '', 50)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(evicted).toEqual(['expired']);
  });

  it('replaces a variant without counting its bytes twice', () => {
    const { cache } = lru(10, 1e6);
    hold(cache, 'k', '', 'aaaa', Infinity);
    const bytes = cache.bytes;
    hold(cache, 'k', '', 'bbbb', Infinity);
    expect(cache.bytes).toBe(bytes);
    expect(cache.delete('k')).toBe(true);
    expect(cache.bytes).toBe(0);
  });
});

describe('nearCache options', () => {
  it('defaults its TTL to at most the Redis TTL and rejects a longer one', () => {
    expect(resolveNearCacheOptions({ prefixes: ['app:'] }, 5_000).ttlMs).toBe(5_000);
    expect(() => resolveNearCacheOptions({ prefixes: ['app:'], ttlMs: 6_000 }, 5_000)).toThrow(
      /nearCache.ttlMs=6000 exceeds ttlMs=5000/,
    );
  });

  it('needs prefixes, none empty', () => {
    expect(() => resolveNearCacheOptions({ prefixes: [] }, 5_000)).toThrow(/at least one/);
    expect(() => resolveNearCacheOptions({ prefixes: [''] }, 5_000)).toThrow(/empty prefix/);
  });
});
