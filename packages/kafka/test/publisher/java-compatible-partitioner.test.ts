import { javaCompatiblePartition } from '../../src/publisher/java-compatible-partitioner.ts';
import { murmur2 } from '../../src/publisher/murmur2.ts';

describe('javaCompatiblePartition', () => {
  it('places a key as the Java client does: positive murmur2 of its bytes (the client takes it modulo the count)', () => {
    for (const key of ['21', 'public.users:42', 'ünïcødé:ключ']) {
      const placed = javaCompatiblePartition({ topic: 't', key, value: '' });
      expect(placed).toBe(murmur2(key) & 0x7fffffff);
      expect(placed).toBeGreaterThanOrEqual(0);
    }
    // -973932308 & 0x7fffffff, the Java client's toPositive(murmur2("21")).
    expect(javaCompatiblePartition({ topic: 't', key: '21', value: '' })).toBe(1173551340);
  });

  it('sends a keyless message to partition 0', () => {
    expect(javaCompatiblePartition({ topic: 't', value: '' })).toBe(0);
  });
});
