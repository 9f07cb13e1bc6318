import {
  ConfigError,
  hostPorts,
  readConfig,
  redactSecrets,
  redactUrl,
  url,
} from '../../src/index.ts';

const schema = {
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'], secret: true, doc: 'Postgres.' }),
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], secret: true, doc: 'Redis.' }),
  KAFKA_BROKERS: hostPorts({ doc: 'Kafka.' }),
};
const good = {
  DATABASE_URL: 'postgres://u:PASS@db:5432/app',
  REDIS_URL: 'rediss://:PASS@cache:6380/0',
  KAFKA_BROKERS: 'k1:9092,k2:9093',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    readConfig(schema, env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

describe('URL and host:port settings', () => {
  it('accepts well-formed URLs and brokers', () => {
    expect(problemsOf(good)).toEqual([]);
    expect(
      problemsOf({ ...good, DATABASE_URL: 'postgres:///app?host=/var/run/postgresql' }),
    ).toEqual([]);
  });

  it('regression: DATABASE_URL without // (postgres:u:PASS@host/db) passed and leaked the password', () => {
    const problems = problemsOf({ ...good, DATABASE_URL: 'postgres:u:PASS@host/db' });
    expect(problems).toEqual([
      expect.stringMatching(
        /^DATABASE_URL=<hidden> is invalid: expected a URL starting with postgres:\/\//,
      ),
    ]);
    expect(problems.join('\n')).not.toContain('PASS');
  });

  it.each([
    ['redis:PASS@cache:6379', 'REDIS_URL'],
    ['http://u:PASS@cache', 'REDIS_URL'],
    ['redis://:PASS@', 'REDIS_URL'],
    ['redis://:PASS@cache:99999', 'REDIS_URL'],
  ])('refuses REDIS_URL=%s without quoting it', (value) => {
    const problems = problemsOf({ ...good, REDIS_URL: value });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL=<hidden> is invalid: expected/)]);
    expect(problems.join('\n')).not.toContain('PASS');
  });

  it('regression: KAFKA_BROKERS=host:99999 passed validation and crashed the client', () => {
    expect(problemsOf({ ...good, KAFKA_BROKERS: 'host:99999' })).toEqual([
      expect.stringMatching(
        /^KAFKA_BROKERS="host:99999" is invalid: host:99999: a port is 1 to 65535/,
      ),
    ]);
    expect(problemsOf({ ...good, KAFKA_BROKERS: 'host:0' })).toHaveLength(1);
  });
});

describe('redaction', () => {
  it('redacts passwords in URLs', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x?password=p')).toBe(
      'postgres://app:***@db:5432/x?password=***',
    );
  });

  it('regression: a URL without // kept its password (it parses, with the password in its path)', () => {
    expect(redactUrl('postgres:u:PASS@host/db')).toBe('postgres:u:***@host/db');
  });

  it('redacts every connection string in free text, raw @ in the password included', () => {
    const text =
      'cannot connect to postgres:u:PASS@127.0.0.1:1/db: refused; redis://:p@ss@cache:6379 down; x?token=abc';
    const redacted = redactSecrets(text);
    expect(redacted).toBe(
      'cannot connect to postgres:u:***@127.0.0.1:1/db: refused; redis://:***@cache:6379 down; x?token=***',
    );
  });
});
