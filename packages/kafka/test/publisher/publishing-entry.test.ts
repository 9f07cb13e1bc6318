import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '@freshen/runtime';
import { createEventPublisher } from '../../src/publisher/create-event-publisher.ts';
import { PlatformaticEventPublisher } from '../../src/publisher/platformatic-event-publisher.ts';
import { ThreadEventPublisher } from '../../src/publisher/thread-event-publisher.ts';

const PUBLISHING = path.resolve(import.meta.dirname, '../../src/publishing.ts');

// Prints every module that resolves to @platformatic/kafka while `PUBLISHING` loads.
const RECORD_CLIENT_LOADS = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
registerHooks({ resolve(specifier, context, next) {
  if (specifier.startsWith('@platformatic/kafka')) console.log('client loaded by', context.parentURL);
  return next(specifier, context);
} });`)}`;

describe('@freshen/kafka/publishing', () => {
  it('loads no Kafka client modules on the importing thread (they cost it about 42 MB of RSS)', () => {
    const output = execFileSync(
      process.execPath,
      [
        '--import',
        RECORD_CLIENT_LOADS,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(PUBLISHING)});`,
      ],
      { encoding: 'utf8' },
    );
    expect(output).toBe('');
  });

  it('creates the publisher on the thread asked for', async () => {
    const options = {
      connection: { brokers: ['127.0.0.1:1'], clientId: 'publishing-entry-test' },
      logger: createLogger('publishing-entry-test', { level: 'silent' }),
      logName: 'publishing-entry-test',
      partitions: 1,
    };
    const onMain = await createEventPublisher(options, 'main');
    const onWorker = await createEventPublisher(options, 'worker');
    try {
      expect(onMain).toBeInstanceOf(PlatformaticEventPublisher);
      expect(onWorker).toBeInstanceOf(ThreadEventPublisher);
    } finally {
      await Promise.all([onMain.close(), onWorker.close()]);
    }
  });
});
