import {
  ConfigError,
  describeConfig,
  hostPorts,
  integer,
  oneOf,
  readConfig,
  url,
} from '../src/index.ts';

const schema = {
  DATABASE_URL: url({
    doc: 'Postgres to read changes from.',
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
  }),
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka bootstrap brokers.' }),
  BATCH_SIZE: integer({ doc: 'Events per batch.', default: 500, min: 1, max: 10_000 }),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn'], { doc: 'Log level.', default: 'info' }),
};

describe('readConfig', () => {
  it('parses values and fills defaults', () => {
    const config = readConfig(schema, {
      DATABASE_URL: 'postgres://u@h:5432/db',
      KAFKA_BROKERS: 'a:9092, b:9093',
    });
    expect(config).toEqual({
      DATABASE_URL: 'postgres://u@h:5432/db',
      KAFKA_BROKERS: ['a:9092', 'b:9093'],
      BATCH_SIZE: 500,
      LOG_LEVEL: 'info',
    });
  });

  it('reports every problem at once, one line each, naming the variable and the fix', () => {
    let error: unknown;
    try {
      readConfig(schema, {
        DATABASE_URL: 'mysql://root:hunter2@h/db',
        BATCH_SIZE: '0',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(
      /^DATABASE_URL=<hidden> is invalid: expected a URL starting with postgres:\/\//,
    );
    expect(problems[1]).toMatch(/^KAFKA_BROKERS is not set\. Set it to host:port/);
    expect(problems[2]).toMatch(/^BATCH_SIZE="0" is invalid: expected an integer from 1 to 10000/);
    expect(problems[3]).toMatch(/^LOG_LEVEL="loud" is invalid: expected one of debug, info, warn/);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('lists options without the default of a secret one', () => {
    const listing = describeConfig({
      REDIS_URL: url({
        protocols: ['redis:'],
        default: 'redis://:hunter2@cache:6379',
        secret: true,
        doc: 'Redis.',
      }),
    });
    expect(listing).toContain('default <hidden>');
    expect(listing).not.toContain('hunter2');
  });
});
