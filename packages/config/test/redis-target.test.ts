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

  it('watches a Sentinel master, with ACL users and TLS for every server', () => {
    const raw = readConfig(REDIS_TARGET_OPTIONS, {
      REDIS_MODE: 'sentinel',
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_MASTER: 'cache',
      REDIS_USERNAME: 'freshen',
      REDIS_PASSWORD_FILE: '/run/secrets/redis',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: '/etc/ca.pem',
    });
    expect(redisTargetOf(raw)).toEqual({
      target: {
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26379 },
        ],
        masterName: 'cache',
        auth: { username: 'freshen', passwordFile: '/run/secrets/redis' },
        sentinelAuth: { password: 'sentinel-secret' },
        tls: { caFile: '/etc/ca.pem' },
      },
    });
  });

  it('turns TLS on for a rediss:// URL, and leaves its credentials alone when none are set', () => {
    const raw = readConfig(REDIS_TARGET_OPTIONS, { REDIS_URL: 'rediss://u:p@cache:6380' });
    expect(redisTargetOf(raw)).toEqual({ target: { url: 'rediss://u:p@cache:6380', tls: {} } });
  });

  it.each([
    [{ REDIS_MODE: 'sentinel' }, /^REDIS_MODE=sentinel needs REDIS_SENTINELS/],
    [{ REDIS_TLS_CA_FILE: '/ca.pem' }, /^REDIS_TLS_CA_FILE set but TLS to Redis is off/],
    [
      { REDIS_TLS: 'true', REDIS_TLS_CERT_FILE: '/c.pem' },
      /^REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together/,
    ],
  ])('says what is wrong with %j', (env, problem) => {
    expect(redisTargetOf(readConfig(REDIS_TARGET_OPTIONS, env))).toEqual({
      problem: expect.stringMatching(problem),
    });
  });
});
