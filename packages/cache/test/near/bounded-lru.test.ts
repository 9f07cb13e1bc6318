import { BoundedLru, type EvictionReason } from '../../src/near/bounded-lru.ts';
import { resolveNearCacheOptions } from '../../src/near/near-cache-options.ts';

function lru(maxEntries: number, maxBytes: number) {
  const evicted: EvictionReason[] = [];
  return {
    cache: new BoundedLru({ maxEntries, maxBytes, onEvict: (r) => evicted.push(r) }),
    evicted,
  };
}

describe('BoundedLru', () => {
  it('evicts the least recently used key beyond maxEntries', () => {
    const { cache, evicted } = lru(2, 1e6);
    cache.set('a', '', '1', Infinity);
    cache.set('b', '', '2', Infinity);
    expect(cache.get('a', '', 0)?.copy).toBe('1'); // a is now the most recent
    cache.set('c', '', '3', Infinity);
    expect(cache.get('b', '', 0)).toBeUndefined();
    expect(cache.get('a', '', 0)?.copy).toBe('1');
    expect(cache.get('c', '', 0)?.copy).toBe('3');
    expect(evicted).toEqual(['capacity']);
  });

  it('keeps the bytes of keys and copies under maxBytes', () => {
    const { cache } = lru(100, 40);
    cache.set('k1', '', 'x'.repeat(8), Infinity); // 2 * (2 + 8) = 20 bytes
    cache.set('k2', '', 'y'.repeat(8), Infinity);
    expect(cache.bytes).toBe(40);
    cache.set('k3', '', 'z', Infinity);
    expect(cache.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(40);
    cache.set('huge', '', 'h'.repeat(100), Infinity); // larger than the whole cache: not kept
    expect(cache.get('huge', '', 0)).toBeUndefined();
  });

  it('expires entries, and variants of one key share the earliest expiry', () => {
    const { cache, evicted } = lru(10, 1e6);
    cache.set('k', '', 'whole', 100);
    cache.set('k', '["a"]', 'fields', 50);
    expect(cache.get('k', '', 49)?.copy).toBe('whole');
    expect(cache.get('k', '', 50)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(evicted).toEqual(['expired']);
  });

  it('replaces a variant without counting its bytes twice', () => {
    const { cache } = lru(10, 1e6);
    cache.set('k', '', 'aaaa', Infinity);
    const bytes = cache.bytes;
    cache.set('k', '', 'bbbb', Infinity);
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
