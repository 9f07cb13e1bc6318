import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { StatusHistory } from '../../../src/index.ts';

describe('StatusHistory', () => {
  it('turns counters into rates, histograms into the mean of what was observed, gauges into values', async () => {
    const registry = new Registry();
    const events = new Counter({
      name: 'events_total',
      help: 'h',
      labelNames: ['t'],
      registers: [registry],
    });
    const lag = new Histogram({
      name: 'lag_seconds',
      help: 'h',
      buckets: [1],
      registers: [registry],
    });
    const depth = new Gauge({ name: 'depth', help: 'h', registers: [registry] });
    const history = new StatusHistory(registry, [
      { label: 'events', metric: 'events_total', kind: 'rate', unit: 'per_second' },
      { label: 'lag', metric: 'lag_seconds', kind: 'mean', unit: 'seconds' },
      { label: 'depth', metric: 'depth', kind: 'gauge', unit: 'count' },
    ]);
    depth.set(7);
    await history.sample();
    events.inc({ t: 'a' }, 30);
    events.inc({ t: 'b' }, 10);
    lag.observe(0.2);
    lag.observe(0.4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await history.sample();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await history.sample(); // nothing observed since: no mean, a rate of 0

    const { times, series } = history.snapshot();
    expect(times).toHaveLength(3);
    const seconds = (times[1]! - times[0]!) / 1000;
    expect(series.events![0]).toBeNull(); // a rate needs two samples
    expect(series.events![1]).toBeCloseTo(40 / seconds, 5);
    expect(series.events![2]).toBe(0);
    expect(series.lag).toEqual([null, expect.closeTo(0.3, 5), null]);
    expect(series.depth).toEqual([7, 7, 7]);
  });

  it('keeps only the last ten minutes', async () => {
    const registry = new Registry();
    new Gauge({ name: 'depth', help: 'h', registers: [registry] }).set(1);
    const history = new StatusHistory(
      registry,
      [{ label: 'depth', metric: 'depth', kind: 'gauge', unit: 'count' }],
      60_000,
    );
    for (let i = 0; i < 15; i++) await history.sample();
    expect(history.snapshot().times).toHaveLength(10);
    expect(history.snapshot().series.depth).toHaveLength(10);
  });
});
