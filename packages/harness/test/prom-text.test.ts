import { exposedNames, parseMetrics, quantileBetween, total } from '../src/prom-text.ts';

const scrape = (lag: number[], events: number) =>
  parseMetrics(`# HELP x
# TYPE x histogram
lag_bucket{le="0.005"} ${lag[0]}
lag_bucket{le="0.01"} ${lag[1]}
lag_bucket{le="+Inf"} ${lag[2]}
lag_sum 1.5
lag_count ${lag[2]}
events_total{topic="a"} ${events}
events_total{topic="b"} 1
`);

describe('Prometheus text helpers', () => {
  it('sums every label set of a metric', () => {
    expect(total(scrape([0, 0, 0], 4), 'events_total')).toBe(5);
    expect(total(scrape([0, 0, 0], 4), 'missing_total')).toBe(0);
  });

  it('finds the bucket bound of a quantile of the observations between two scrapes', () => {
    const before = scrape([10, 10, 10], 0);
    expect(quantileBetween(before, scrape([19, 20, 20], 0), 'lag', 0.9)).toBe(0.005);
    expect(quantileBetween(before, scrape([19, 20, 20], 0), 'lag', 0.99)).toBe(0.01);
    expect(quantileBetween(before, scrape([10, 10, 12], 0), 'lag', 0.5)).toBe(Infinity);
    expect(quantileBetween(before, before, 'lag', 0.99)).toBeUndefined();
  });

  it('names every exposed metric, declared ones without samples and histogram series included', () => {
    const names = exposedNames(`# HELP dead_letters_total by code
# TYPE dead_letters_total counter
# TYPE wait_seconds histogram
wait_seconds_bucket{le="+Inf"} 0
# TYPE ready gauge
ready 1
`);
    expect([...names].sort()).toEqual([
      'dead_letters_total',
      'ready',
      'wait_seconds_bucket',
      'wait_seconds_count',
      'wait_seconds_sum',
    ]);
  });
});
