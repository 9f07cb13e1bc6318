import {
  ConfigError,
  readConfig,
  string,
  unknownVariableProblems,
  unlistedVariables,
} from '../../src/index.ts';

const reader = {
  SLOT_NAME: string({ default: 'freshen', doc: 'Slot.' }),
};

describe('variables that look like Freshen variables but are not', () => {
  it('regression: SLOT_NAM=x refused the start instead of reading the default slot', () => {
    expect(() => readConfig(reader, { SLOT_NAM: 'x' })).toThrow(ConfigError);
    try {
      readConfig(reader, { SLOT_NAM: 'x' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^SLOT_NAM is not a Freshen variable; did you mean SLOT_NAME\?/),
      ]);
    }
  });

  it('names near misses and unknown names with a Freshen prefix, one line each', () => {
    const problems = unknownVariableProblems({
      REDIS_URLL: 'redis://h',
      KAFKA_BROKER: 'k:1',
      DATABSE_URL: 'postgres://u:secret@h/db',
      redis_url: 'redis://h',
      REDIS_AUTH_TOKEN: 'hunter2',
      LOGLEVEL: 'debug',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^DATABSE_URL is not a Freshen variable; did you mean DATABASE_URL\?/),
      expect.stringMatching(
        /^KAFKA_BROKER is not a Freshen variable; did you mean KAFKA_BROKERS\?/,
      ),
      expect.stringMatching(/^LOGLEVEL is not a Freshen variable; did you mean LOG_LEVEL\?/),
      expect.stringMatching(
        /^REDIS_AUTH_TOKEN is not a Freshen variable; Freshen's REDIS_ variables are REDIS_MODE, REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS,/,
      ),
      expect.stringMatching(/^REDIS_URLL is not a Freshen variable; did you mean REDIS_URL\?/),
      expect.stringMatching(/^redis_url is not a Freshen variable; did you mean REDIS_URL\?/),
    ]);
    expect(problems.join('\n')).not.toMatch(/secret|hunter2/);
  });

  it("accepts every Freshen process's variables in every process (one shared env file)", () => {
    // The reader's schema has no GROUP_ID or PORT; the invalidator's and the API's do.
    expect(
      unknownVariableProblems(
        {
          GROUP_ID: 'g',
          PORT: '8080',
          RULES_MODULE: './r.ts',
          DEMO_API_PORT: '0',
          FRESHEN_STACK_DIR: '/x',
        },
        Object.keys(reader),
      ),
    ).toEqual([]);
  });

  it('never trips on ordinary variables', () => {
    const ordinary = {
      PATH: '/bin',
      HOME: '/root',
      HOSTNAME: 'pod-1',
      HOST: '0.0.0.0',
      NODE_OPTIONS: '--max-old-space-size=192',
      NODE_ENV: 'production',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_PORT_443_TCP_ADDR: '10.0.0.1',
      REDIS_SERVICE_HOST: '10.0.0.2',
      REDIS_PORT: 'tcp://10.0.0.2:6379',
      REDIS_PORT_6379_TCP_PORT: '6379',
      KAFKA_SERVICE_PORT_BROKER: '9092',
      KAFKA_HEAP_OPTS: '-Xmx1g',
      npm_config_cache: '/tmp/npm',
      npm_lifecycle_event: 'start',
      PGPASSWORD: 'x',
      PGHOST: 'db',
      JEST_WORKER_ID: '1',
      LC_ALL: 'C',
      TZ: 'UTC',
      SORT: '1',
    };
    expect(unknownVariableProblems(ordinary)).toEqual([]);
  });

  it('accepts names listed in FRESHEN_IGNORE_VARIABLES', () => {
    expect(
      unknownVariableProblems({ REDIS_PASSWORD: 'x', FRESHEN_IGNORE_VARIABLES: 'REDIS_PASSWORD' }),
    ).toEqual([]);
  });

  it('finds schema names missing from the shared list', () => {
    expect(unlistedVariables(['SLOT_NAME', 'NEW_THING'])).toEqual(['NEW_THING']);
  });
});
