import type { EventPublisher } from './event-publisher.ts';
import type { PlatformaticEventPublisherOptions } from './platformatic-event-publisher.ts';
import { ThreadEventPublisher } from './thread-event-publisher.ts';

/** Where the Kafka producer can run: its own worker thread, or the caller's thread. */
export const PUBLISHER_THREADS = ['worker', 'main'] as const;
export type PublisherThread = (typeof PUBLISHER_THREADS)[number];

/**
 * An EventPublisher on `thread`. The Kafka client's modules are loaded on the caller's thread
 * only for 'main': @platformatic/kafka costs a thread that loads it about 42 MB of RSS (measured
 * at module load: the reader's 147 MB fell to 104 MB without it), and with 'worker' only the
 * worker needs them.
 */
export async function createEventPublisher(
  options: PlatformaticEventPublisherOptions & { logName: string },
  thread: PublisherThread,
): Promise<EventPublisher> {
  if (thread === 'worker') return new ThreadEventPublisher(options);
  const { PlatformaticEventPublisher } = await import('./platformatic-event-publisher.ts');
  return new PlatformaticEventPublisher(options);
}
