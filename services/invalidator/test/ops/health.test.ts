import { InvalidatorHealth } from '../../src/ops/health.ts';
import { createMetrics } from '../../src/ops/metrics.ts';
import { captureLogger } from '../support/log-capture.ts';

function setup() {
  let now = 1_000_000;
  let pendingCommits = false;
  const { logger, lines } = captureLogger();
  const metrics = createMetrics();
  const health = new InvalidatorHealth({
    logger,
    metrics,
    wedgedAfterMs: 60_000,
    fetchStallMs: 3000,
    hasPendingCommits: () => pendingCommits,
    now: () => now,
  });
  return {
    health,
    metrics,
    lines,
    advance: (ms: number) => (now += ms),
    setPendingCommits: (value: boolean) => (pendingCommits = value),
  };
}

describe('InvalidatorHealth', () => {
  it('is wedged (/healthz 503, gauge, one error line) only when work is pending and nothing progressed for WEDGED_AFTER_MS', async () => {
    const { health, metrics, lines, advance } = setup();
    advance(10 * 60_000); // idle for long: not wedged, there is nothing to do
    expect(health.liveness().ok).toBe(true);

    health.batchStarted();
    advance(59_000);
    expect(health.liveness().ok).toBe(true);
    advance(2000);
    expect(health.liveness().ok).toBe(false);
    expect((await metrics.wedged.get()).values[0]!.value).toBe(1);
    health.liveness();
    expect(lines.filter((line) => line.level === 50 && /wedged/.test(line.msg))).toHaveLength(1);

    health.batchEnded(true);
    expect(health.liveness().ok).toBe(true);
    expect((await metrics.wedged.get()).values[0]!.value).toBe(0);
  });

  it('counts uncommitted offsets as pending work, and a commit as progress', () => {
    const { health, advance, setPendingCommits } = setup();
    setPendingCommits(true);
    health.evaluate();
    advance(61_000);
    expect(health.liveness().ok).toBe(false);
    health.progressed();
    expect(health.liveness().ok).toBe(true);
  });

  it('reports Kafka down when no fetch came back for the stall time, and up at the next fetch', () => {
    const { health, advance } = setup();
    health.fetched();
    advance(2000);
    expect(health.readiness().ok).toBe(true);
    advance(2000);
    expect(health.readiness()).toMatchObject({
      ok: false,
      details: { kafka: expect.stringMatching(/no fetch/) },
    });
    health.fetched();
    expect(health.readiness().ok).toBe(true);
  });

  it('logs one error line per outage, whatever the reasons in between, and one info line at recovery', () => {
    const { health, lines } = setup();
    health.fail('redis', 'Redis connection lost (ECONNREFUSED); reconnecting');
    health.fail('redis', 'Redis failed (ECONNREFUSED); fetching paused, retrying');
    expect(health.readiness().details?.redis).toMatch(/fetching paused/);
    health.recover('redis');
    expect(lines.map((line) => line.level)).toEqual([50, 30]);
  });

  it('logs a second error line when the cause of an outage is found after its symptom (TLS mismatch after "connection lost")', () => {
    const { health, lines } = setup();
    health.fail('redis', 'Redis connection lost (ETIMEDOUT); reconnecting');
    health.fail('redis', 'REDIS_URL uses rediss:// ...', {}, { cause: true });
    health.fail('redis', 'REDIS_URL uses rediss:// ...', {}, { cause: true });
    health.fail('redis', 'Redis connection lost (ETIMEDOUT); reconnecting');
    expect(lines.map((line) => line.msg)).toEqual([
      'not ready: Redis connection lost (ETIMEDOUT); reconnecting',
      'not ready: REDIS_URL uses rediss:// ...',
    ]);
  });
});
