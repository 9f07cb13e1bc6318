import { readConfig, REDIS_TARGET_OPTIONS, redisTargetOf } from '../src/index.ts';

describe('Redis target settings', () => {
  it('defaults to one local server', () => {
    expect(redisTargetOf(readConfig(REDIS_TARGET_OPTIONS, {}))).toEqual({
      target: { url: 'redis://127.0.0.1:6379' },
    });
  });

  it('seeds a cluster from host:port nodes', () => {
    const raw = readConfig(REDIS_TARGET_OPTIONS, {
      REDIS_MODE: 'cluster',
      REDIS_CLUSTER_NODES: 'a:7000,b:7001',
    });
    expect(redisTargetOf(raw)).toEqual({
      target: {
        clusterNodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
      },
    });
  });

  it('says what is missing when cluster mode has no nodes', () => {
    const raw = readConfig(REDIS_TARGET_OPTIONS, { REDIS_MODE: 'cluster' });
    expect(redisTargetOf(raw)).toEqual({
      problem: expect.stringMatching(/^REDIS_MODE=cluster needs REDIS_CLUSTER_NODES/),
    });
  });
});
