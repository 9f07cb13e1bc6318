import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { logClientErrors } from '../../src/index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('logClientErrors', () => {
  it('logs client errors as JSON warn lines, repeats at most once per interval, secrets hidden', () => {
    const { lines, logger } = capture();
    const client = new EventEmitter();
    let now = 0;
    logClientErrors(client, logger, { client: 'redis', repeatMs: 1000, now: () => now });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    client.emit('error', refused);
    now = 100;
    client.emit('error', refused);
    client.emit('error', refused);
    now = 1200;
    client.emit('error', refused);
    client.emit('error', new Error('WRONGPASS for redis://u:hunter2@cache:6379'));
    expect(lines.map((line) => [line.level, line.msg, line.repeats])).toEqual([
      [40, 'redis error: connect ECONNREFUSED 127.0.0.1:1', undefined],
      [40, 'redis error: connect ECONNREFUSED 127.0.0.1:1', 2],
      [40, 'redis error: WRONGPASS for redis://u:***@cache:6379', undefined],
    ]);
    expect(lines[0]).toMatchObject({ client: 'redis', code: 'ECONNREFUSED' });
  });
});
