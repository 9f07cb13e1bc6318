/**
 * Drives a PlatformaticEventPublisher in a plain Node process and prints what happened as one
 * JSON line. Tests run it as a child process because @platformatic/kafka is ESM-only, which
 * jest's CommonJS runtime cannot load. Input: one JSON argument (see ProbeInput).
 */
import { createLogger, FreshenError } from '@freshen/runtime';
import type { OutgoingMessage } from '../../src/publisher/event-publisher.ts';
import { PlatformaticEventPublisher } from '../../src/publisher/platformatic-event-publisher.ts';

export interface ProbeInput {
  brokers: string[];
  topic: string;
  partitions: number;
  /** Each inner list is published as one batch, in order. */
  batches: OutgoingMessage[][];
}

export type ProbeOutput =
  | { ok: true; partitionCounts: number[] }
  | { ok: false; code: string; retryable: boolean; message: string };

const input = JSON.parse(process.argv[2]!) as ProbeInput;
const publisher = new PlatformaticEventPublisher({
  brokers: input.brokers,
  clientId: 'freshen-platformatic-probe',
  logger: createLogger('platformatic-probe', { level: 'silent' }),
  partitions: input.partitions,
});
let output: ProbeOutput;
try {
  await publisher.connect();
  // Twice: the second answer comes from the cache and must agree.
  const partitionCounts = [
    await publisher.prepareTopic(input.topic),
    await publisher.prepareTopic(input.topic),
  ];
  for (const batch of input.batches) await publisher.publish(batch);
  output = { ok: true, partitionCounts };
} catch (error) {
  output =
    error instanceof FreshenError
      ? { ok: false, code: error.code, retryable: error.retryable, message: error.message }
      : { ok: false, code: 'UNEXPECTED', retryable: false, message: String(error) };
} finally {
  await publisher.close();
  await publisher.close();
}
process.stdout.write(`${JSON.stringify(output)}\n`);
