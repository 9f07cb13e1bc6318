import { ConfigError, unlistedVariables } from '@freshen/config';
import { CONFIG_SCHEMA, readInvalidatorConfig } from '../src/config.ts';

const base = { KAFKA_BROKERS: 'k1:9092,k2:9092', RULES_MODULE: './rules.ts' };

describe('readInvalidatorConfig', () => {
  it('fills defaults: standalone Redis, prefix subscription, <prefix>.dlq', () => {
    const config = readInvalidatorConfig({ ...base, TOPIC_PREFIX: 'cdc' });
    expect(config.service).toMatchObject({
      kafkaBrokers: ['k1:9092', 'k2:9092'],
      redis: { url: 'redis://127.0.0.1:6379' },
      groupId: 'freshen-invalidator',
      topics: { prefix: 'cdc' },
      dlqTopic: 'cdc.dlq',
      metricsPort: 9464,
    });
    expect(config.validation).toBeUndefined();
  });

  it('reads cluster nodes in cluster mode', () => {
    const config = readInvalidatorConfig({
      ...base,
      REDIS_MODE: 'cluster',
      REDIS_CLUSTER_NODES: 'r1:7001,r2:7002',
    });
    expect(config.service.redis).toEqual({
      clusterNodes: [
        { host: 'r1', port: 7001 },
        { host: 'r2', port: 7002 },
      ],
    });
  });

  it('names every bad variable and its fix at once', () => {
    try {
      readInvalidatorConfig({
        REDIS_MODE: 'cluster',
        METRICS_PORT: 'x',
        VALIDATE_RULES: 'true',
        KAFKA_BROKERS: 'k:1',
        RULES_MODULE: './rules.ts',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual([expect.stringMatching(/^METRICS_PORT="x" is invalid/)]);
    }
    expect(() =>
      readInvalidatorConfig({
        REDIS_MODE: 'cluster',
        VALIDATE_RULES: 'true',
        KAFKA_BROKERS: 'k:1',
        RULES_MODULE: './rules.ts',
      }),
    ).toThrow(
      /REDIS_MODE=cluster needs REDIS_CLUSTER_NODES[\s\S]*VALIDATE_RULES=true needs DATABASE_URL/,
    );
    expect(() => readInvalidatorConfig({})).toThrow(/KAFKA_BROKERS is not set/);
  });

  it('regression: RULES_MODULE unset ran the example rules; now it refuses the start', () => {
    expect(() => readInvalidatorConfig({ KAFKA_BROKERS: 'k:1' })).toThrow(
      /RULES_MODULE is not set\. Set it to a path \(relative to the working directory\) or package name/,
    );
  });

  it('declares only variables that every Freshen process accepts (packages/config known list)', () => {
    expect(unlistedVariables(Object.keys(CONFIG_SCHEMA))).toEqual([]);
  });
});
