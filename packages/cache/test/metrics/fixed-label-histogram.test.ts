import { Histogram, Registry } from 'prom-client';
import { FixedLabelHistogram } from '../../src/metrics/fixed-label-histogram.ts';

const buckets = [0.001, 0.01, 0.1];
const observations: ['cache' | 'loader', number][] = [
  ['cache', 0.0005],
  ['cache', 0.001], // on a bound: counted in that bucket, as prom-client does
  ['loader', 0.05],
  ['loader', 3], // above every bound: +Inf only
];

describe('FixedLabelHistogram', () => {
  it("exposes what prom-client's Histogram exposes for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fixed = new FixedLabelHistogram({
      name: 'h_seconds',
      help: 'help text',
      label: 'source',
      values: ['cache', 'loader'],
      buckets,
      registry: ours,
    });
    const reference = new Histogram({
      name: 'h_seconds',
      help: 'help text',
      labelNames: ['source'],
      buckets,
      registers: [theirs],
    });
    for (const [source, value] of observations) {
      fixed.observe(source, value);
      reference.observe({ source }, value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // The JSON form too, but for prom-client's exemplar slots (always null without exemplars).
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((metric) => ({
        ...metric,
        values: metric.values.map((sample) => {
          const { exemplar: _none, ...rest } = sample as typeof sample & { exemplar?: unknown };
          return rest;
        }),
      }));
    expect(await ours.getMetricsAsJSON()).toEqual(
      withoutExemplars(await theirs.getMetricsAsJSON()),
    );
  });

  it('exposes zeros for every label value before any observation, and after reset', async () => {
    const registry = new Registry();
    const fixed = new FixedLabelHistogram({
      name: 'h_seconds',
      help: 'help',
      label: 'source',
      values: ['cache'],
      buckets,
      registry,
    });
    expect(await registry.metrics()).toContain('h_seconds_count{source="cache"} 0');
    fixed.observe('cache', 0.5);
    expect(await registry.metrics()).toContain('h_seconds_count{source="cache"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('h_seconds_count{source="cache"} 0');
  });
});
