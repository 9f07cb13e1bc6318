import type { OutgoingMessage } from './event-publisher.ts';

/**
 * A batch of messages in the form it crosses to the publishing thread: every value's bytes in
 * one buffer that is transferred, not copied, and the rest in flat arrays. Posting the
 * messages as objects made the structured clone copy a thousand strings on each side and the
 * worker turn each back into a Buffer, most of the worker's garbage.
 */
export interface PackedBatch {
  /** The distinct topics; `topicIndex[i]` is message i's. */
  topics: string[];
  topicIndex: Uint32Array;
  keys: string[];
  /** Message i's value is `values[valueEnds[i - 1] ?? 0 .. valueEnds[i]]`. */
  values: ArrayBuffer;
  valueEnds: Uint32Array;
  /** Message i's partition, or -1 for the one its key chooses. */
  partitions: Int32Array;
}

export function packBatch(messages: readonly OutgoingMessage[]): PackedBatch {
  const count = messages.length;
  let size = 0;
  for (const { value } of messages) size += Buffer.byteLength(value);
  const values = Buffer.allocUnsafeSlow(size);
  const valueEnds = new Uint32Array(count);
  const topicIndex = new Uint32Array(count);
  const partitions = new Int32Array(count);
  const keys: string[] = new Array(count);
  const topics: string[] = [];
  let offset = 0;
  let current = -1;
  for (let i = 0; i < count; i++) {
    const { topic, key, value, partition } = messages[i]!;
    if (topics[current] !== topic) {
      current = topics.indexOf(topic);
      if (current < 0) current = topics.push(topic) - 1;
    }
    topicIndex[i] = current;
    keys[i] = key;
    offset += typeof value === 'string' ? values.write(value, offset) : value.copy(values, offset);
    valueEnds[i] = offset;
    partitions[i] = partition ?? -1;
  }
  return { topics, topicIndex, keys, values: values.buffer, valueEnds, partitions };
}

/** The messages again, each value a view of the one transferred buffer. */
export function unpackBatch(batch: PackedBatch): OutgoingMessage[] {
  const { topics, topicIndex, keys, valueEnds, partitions } = batch;
  const values = Buffer.from(batch.values);
  const messages: OutgoingMessage[] = new Array(keys.length);
  let start = 0;
  for (let i = 0; i < keys.length; i++) {
    const end = valueEnds[i]!;
    const partition = partitions[i]!;
    const message: OutgoingMessage = {
      topic: topics[topicIndex[i]!]!,
      key: keys[i]!,
      value: values.subarray(start, end),
    };
    if (partition >= 0) message.partition = partition;
    messages[i] = message;
    start = end;
  }
  return messages;
}
