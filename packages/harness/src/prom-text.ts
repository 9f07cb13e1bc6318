/** One scrape of a /metrics endpoint: sample values by `name{labels}` as written. */
export type MetricSnapshot = ReadonlyMap<string, number>;

/** Parses Prometheus text exposition format (version 0.0.4) into samples; comments skipped. */
export function parseMetrics(text: string): MetricSnapshot {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** Sum of every sample of `name` (any labels). */
export function total(snapshot: MetricSnapshot, name: string): number {
  let sum = 0;
  for (const [sample, value] of snapshot) {
    if (sample === name || sample.startsWith(`${name}{`)) sum += value;
  }
  return sum;
}

/** Cumulative histogram buckets of `name` as [upper bound, count], ascending. */
export function buckets(snapshot: MetricSnapshot, name: string): [number, number][] {
  const found: [number, number][] = [];
  for (const [sample, value] of snapshot) {
    const match = sample.startsWith(`${name}_bucket{`) ? /le="([^"]+)"/.exec(sample) : null;
    if (match) found.push([match[1] === '+Inf' ? Infinity : Number(match[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/**
 * The bucket upper bound at or below which `quantile` of the observations between two scrapes
 * fall (what histogram_quantile would interpolate, without interpolation: an upper bound).
 */
export function quantileBetween(
  before: MetricSnapshot,
  after: MetricSnapshot,
  name: string,
  quantile: number,
): number | undefined {
  const old = new Map(buckets(before, name));
  const now = buckets(after, name).map(([le, count]) => [le, count - (old.get(le) ?? 0)] as const);
  const count = now.at(-1)?.[1] ?? 0;
  if (count <= 0) return undefined;
  return now.find(([, cumulative]) => cumulative >= quantile * count)?.[0];
}

/** What a `# TYPE` line adds to a metric's name in the samples (histograms and summaries). */
const SERIES_SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

/**
 * Every metric name a scrape exposes: the sample names, and the names its `# TYPE` lines
 * declare (a labelled metric with no series yet has only those; histograms and summaries
 * with their `_bucket`, `_sum` and `_count` series), so a query may name any of them.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const declared = /^# TYPE (\S+) (\S+)/.exec(line);
    if (declared) {
      for (const suffix of SERIES_SUFFIXES[declared[2]!] ?? ['']) names.add(declared[1]! + suffix);
    } else if (line !== '' && !line.startsWith('#')) {
      names.add(/^[^{ ]+/.exec(line)![0]);
    }
  }
  return names;
}
