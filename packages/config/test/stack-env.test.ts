import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDotenv, withStackEnv } from '../src/index.ts';

describe('stack env', () => {
  it('parses dotenv lines, skipping comments', () => {
    expect(parseDotenv('# c\nA=1\n B = "two" \n\nbad line\n')).toEqual({ A: '1', B: 'two' });
  });

  it('fills unset variables from the nearest .stack/env; set variables win', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'freshen-env-'));
    mkdirSync(path.join(root, '.stack'));
    mkdirSync(path.join(root, 'deep', 'er'), { recursive: true });
    writeFileSync(path.join(root, '.stack', 'env'), 'REDIS_URL=redis://stack\nKAFKA_BROKERS=k:1\n');
    const env = withStackEnv({ KAFKA_BROKERS: 'mine:2', EMPTY: '' }, path.join(root, 'deep', 'er'));
    expect(env.REDIS_URL).toBe('redis://stack');
    expect(env.KAFKA_BROKERS).toBe('mine:2');
  });
});
