/**
 * Worker-thread entry of ThreadEventPublisher: owns a PlatformaticEventPublisher and runs the
 * calls the caller's thread posts, so building record batches (the Kafka client's most
 * expensive work, about a third of the reader's CPU per row) runs on another core than decoding.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, isFreshenError } from '@freshen/runtime';
import { unpackBatch } from './packed-batch.ts';
import { PlatformaticEventPublisher } from './platformatic-event-publisher.ts';
import type {
  PublisherCall,
  PublisherReply,
  PublisherThreadData,
} from './publisher-thread-protocol.ts';

const data = workerData as PublisherThreadData;
const port = parentPort!;
const logger = createLogger(data.logName, { level: data.logLevel }).child(data.logBindings);
const publisher = new PlatformaticEventPublisher({ ...data.options, logger });

async function run(call: PublisherCall): Promise<number | undefined> {
  switch (call.method) {
    case 'connect':
      return void (await publisher.connect());
    case 'prepareTopic':
      return publisher.prepareTopic(call.topic);
    case 'publish':
      return void (await publisher.publish(unpackBatch(call.batch), { resend: call.resend }));
    case 'probe':
      return void (await publisher.probe(call.timeoutMs));
    case 'close':
      await publisher.close();
      // Nothing else will come: let the thread end once the reply is sent.
      port.unref();
      return undefined;
  }
}

port.on('message', (call: PublisherCall) => {
  run(call).then(
    (value) => port.postMessage({ id: call.id, ok: true, value } satisfies PublisherReply),
    (error: unknown) =>
      port.postMessage({
        id: call.id,
        ok: false,
        code: isFreshenError(error) ? error.code : undefined,
        message: (error as Error)?.message ?? String(error),
      } satisfies PublisherReply),
  );
});
