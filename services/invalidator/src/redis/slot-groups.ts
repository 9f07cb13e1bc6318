import { hashSlot } from '@freshen/keys';
import type { Cluster } from 'ioredis';

/**
 * Groups items by the Redis Cluster slot of their key, then slots by the master that serves
 * them, so each pipeline goes to one node and each multi-key command stays in one slot
 * (CROSSSLOT otherwise). Slots whose owner is not known yet each get a group of their own.
 */
export function groupByNode<T>(
  cluster: Cluster,
  items: Iterable<T>,
  keyOf: (item: T) => string,
): Map<number, T[]>[] {
  const bySlot = new Map<number, T[]>();
  for (const item of items) {
    const slot = hashSlot(keyOf(item));
    const group = bySlot.get(slot);
    if (group) group.push(item);
    else bySlot.set(slot, [item]);
  }
  const byNode = new Map<string, Map<number, T[]>>();
  for (const [slot, group] of bySlot) {
    const node = cluster.slots[slot]?.[0] ?? `unknown-slot-${slot}`;
    let slots = byNode.get(node);
    if (!slots) byNode.set(node, (slots = new Map()));
    slots.set(slot, group);
  }
  return [...byNode.values()];
}
