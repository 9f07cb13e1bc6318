import { Worker } from 'node:worker_threads';
import { FreshenError, type Logger } from '@freshen/runtime';
import type { EventPublisher, OutgoingMessage, PublishOptions } from './event-publisher.ts';
import { packBatch } from './packed-batch.ts';
import type { PlatformaticEventPublisherOptions } from './platformatic-event-publisher.ts';
import type {
  PublisherCall,
  PublisherReply,
  PublisherThreadData,
} from './publisher-thread-protocol.ts';

/**
 * The worker's heap holds one batch being encoded and the client's buffers: a few MB. The
 * limits bound it (past the old generation's, the worker dies and calls reject with
 * KAFKA_REJECTED); they do not shrink the thread's cost in RSS, about 50 MB measured, which is
 * the second V8 isolate and its own copy of the modules.
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

type Pending = { resolve: (value: number | undefined) => void; reject: (error: Error) => void };
/** A call without its id (the id is assigned when it is posted). */
type Call = PublisherCall extends infer C
  ? C extends PublisherCall
    ? Omit<C, 'id'>
    : never
  : never;

/**
 * The PlatformaticEventPublisher run on a worker thread: the same EventPublisher contract
 * (the caller still decides retries; one publish resolves when Kafka acknowledged all of it;
 * calls reach the worker's publisher in call order, and it keeps them in order), with the
 * Kafka client's encoding and socket work off the caller's thread. A batch crosses packed
 * (packed-batch.ts): its values' bytes in one transferred buffer.
 *
 * If the worker dies, every outstanding and later call rejects with KAFKA_REJECTED: nothing
 * after that point can be published, so the reader stops and is restarted, and what Kafka had
 * not acknowledged is read again from the slot.
 */
export class ThreadEventPublisher implements EventPublisher {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: FreshenError | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: PlatformaticEventPublisherOptions & { logName: string }) {
    const { logger, logName, ...publisherOptions } = options;
    const workerData: PublisherThreadData = {
      options: publisherOptions,
      logName,
      logLevel: logger.level,
      logBindings: bindingsOf(logger),
    };
    this.worker = new Worker(new URL('./publisher-thread.ts', import.meta.url), {
      workerData,
      resourceLimits: WORKER_HEAP_LIMITS,
    });
    this.worker.on('message', (reply: PublisherReply) => this.settle(reply));
    this.worker.on('error', (error) => this.die(`failed: ${error.message}`, logger));
    this.worker.on('exit', (code) => this.die(`exited with code ${code}`, logger));
  }

  connect(): Promise<void> {
    return this.call({ method: 'connect' }).then(() => undefined);
  }

  async prepareTopic(topic: string): Promise<number> {
    return (await this.call({ method: 'prepareTopic', topic }))!;
  }

  async publish(messages: readonly OutgoingMessage[], options?: PublishOptions): Promise<void> {
    if (messages.length === 0) return;
    const batch = packBatch(messages);
    await this.call({ method: 'publish', batch, resend: options?.resend ?? false }, [batch.values]);
  }

  async probe(timeoutMs: number): Promise<void> {
    await this.call({ method: 'probe', timeoutMs });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.dead) await this.call({ method: 'close' }).catch(() => {});
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private call(call: Call, transfer?: ArrayBuffer[]): Promise<number | undefined> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...call, id }, transfer);
    });
  }

  private settle(reply: PublisherReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else
      pending.reject(
        reply.code === undefined
          ? new Error(reply.message)
          : new FreshenError(reply.code, reply.message),
      );
  }

  private die(how: string, logger: Logger): void {
    if (this.dead) return;
    this.dead = new FreshenError(
      'KAFKA_REJECTED',
      `the Kafka publishing thread ${how}; events not yet acknowledged will be read again from the slot after a restart`,
    );
    if (!this.closing) logger.error({ err: this.dead }, 'Kafka publishing thread ended');
    for (const { reject } of this.pending.values()) reject(this.dead);
    this.pending.clear();
  }
}

/** The child bindings (`slot`, ...) of a pino logger, so the worker's lines carry them too. */
function bindingsOf(logger: Logger): Record<string, unknown> {
  const { service: _service, ...rest } = logger.bindings() as Record<string, unknown>;
  return rest;
}
