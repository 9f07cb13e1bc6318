import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createKafkaClient } from '../src/index.ts';

function capture() {
  const lines: { level: number; msg: string; kafkajs?: Record<string, unknown> }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

const ERROR = 50;
const WARN = 40;
const INFO = 30;

describe('kafkajs log levels', () => {
  // kafkajs's Connection logs a failed response at error with the protocol error's message.
  it('regression: a routine rebalance reply was logged at error; now info', () => {
    const { lines, logger } = capture();
    const kafkaLog = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 't',
      logger,
    }).logger();
    kafkaLog.error('Response Heartbeat(key: 12, version: 3)', {
      error: 'The group is rebalancing, so a rejoin is needed',
      correlationId: 7,
    });
    kafkaLog.warn('The group is rebalancing, re-joining', { groupId: 'g' });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [INFO, 'Response Heartbeat(key: 12, version: 3)'],
      [INFO, 'The group is rebalancing, re-joining'],
    ]);
    expect(lines[0]!.kafkajs).toMatchObject({
      error: 'The group is rebalancing, so a rejoin is needed',
    });
  });

  it('lowers retried trouble to warn and keeps real errors at error', () => {
    const { lines, logger } = capture();
    const kafkaLog = createKafkaClient({
      brokers: ['127.0.0.1:1'],
      clientId: 't',
      logger,
    }).logger();
    kafkaLog.error('Response Metadata(key: 3, version: 6)', {
      error: 'This server does not host this topic-partition',
    });
    kafkaLog.error('Connection error: connect ECONNREFUSED 127.0.0.1:1', { broker: 'x' });
    kafkaLog.error('Restarting the consumer in 300ms', { retryCount: 1 });
    kafkaLog.error('Crash: KafkaJSNumberOfRetriesExceeded: Connection error', { groupId: 'g' });
    kafkaLog.error('Response Produce(key: 0, version: 7)', {
      error:
        'The request included a message larger than the max message size the server will accept',
    });
    // Never raised: a warn with a routine reply stays at most warn, a debug stays debug.
    kafkaLog.warn('Could not create topics', { error: 'Topic with this name already exists' });
    expect(lines.map((line) => line.level)).toEqual([WARN, WARN, WARN, ERROR, ERROR, 20]);
  });
});
