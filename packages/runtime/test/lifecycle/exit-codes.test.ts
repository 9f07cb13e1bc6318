import { ConfigError } from '@freshen/config';
import { EXIT_CODES, exitCodeFor, FreshenError } from '../../src/index.ts';

describe('exit codes', () => {
  it('maps configuration, unreachable dependencies and privileges to their documented codes', () => {
    expect(exitCodeFor(new ConfigError(['X is bad']))).toBe(78);
    expect(exitCodeFor(new FreshenError('CONFIG_INVALID', 'RULES_MODULE=x ...'))).toBe(78);
    expect(exitCodeFor(new FreshenError('SCHEMA_MISMATCH', 'rules'))).toBe(78);
    expect(exitCodeFor(new FreshenError('KAFKA_UNAVAILABLE', 'down'))).toBe(EXIT_CODES.UNAVAILABLE);
    expect(exitCodeFor(new FreshenError('POSTGRES_UNAVAILABLE', 'down'))).toBe(69);
    expect(exitCodeFor(new FreshenError('REDIS_UNAVAILABLE', 'down'))).toBe(69);
    expect(exitCodeFor(new FreshenError('PRIVILEGE_MISSING', 'no'))).toBe(77);
    expect(exitCodeFor(new FreshenError('SLOT_MISSING', 'gone'))).toBe(1);
    expect(exitCodeFor(new TypeError('bug'))).toBe(1);
  });
});
