import { ConfigError, unlistedVariables } from '@freshen/config';
import { readReaderConfig, readerConfigSchema } from '../src/config.ts';

const base = { DATABASE_URL: 'postgres://u@db/app', KAFKA_BROKERS: 'k:9092' };

describe('reader configuration', () => {
  it('regression: SLOT_NAM=x started the reader on the default slot; now it refuses', () => {
    expect(() => readReaderConfig({ ...base, SLOT_NAM: 'x' }, '/')).toThrow(ConfigError);
    expect(() => readReaderConfig({ ...base, SLOT_NAM: 'x' }, '/')).toThrow(
      /SLOT_NAM is not a Freshen variable; did you mean SLOT_NAME\?/,
    );
  });

  it('binds the ops server to OPS_HOST, 0.0.0.0 by default', () => {
    expect(readReaderConfig(base, '/').OPS_HOST).toBe('0.0.0.0');
    expect(readReaderConfig({ ...base, OPS_HOST: '127.0.0.1' }, '/').OPS_HOST).toBe('127.0.0.1');
  });

  it('declares only variables that every Freshen process accepts (packages/config known list)', () => {
    expect(unlistedVariables(Object.keys(readerConfigSchema))).toEqual([]);
  });
});
