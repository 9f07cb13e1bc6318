import type { MessageToProduce } from '@platformatic/kafka';
import { murmur2 } from './murmur2.ts';

/**
 * @platformatic/kafka partitioner with the placement of the Java client (positive murmur2 of
 * the key's UTF-8 bytes; the client takes it modulo the partition count), so a key stays on one
 * partition whichever client published it. An explicit partition never reaches a partitioner.
 */
export function javaCompatiblePartition(
  message: MessageToProduce<string, Buffer | string, string, string>,
): number {
  return message.key === undefined ? 0 : murmur2(message.key) & 0x7fffffff;
}
