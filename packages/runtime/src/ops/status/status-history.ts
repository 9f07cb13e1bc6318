import type { Registry } from 'prom-client';
import { MINUTE, SECOND } from '../../time.ts';

/**
 * One figure of a service's status page. `gauge`: the metric's value (summed over its label
 * sets); `rate`: a counter's increase per second between two samples; `mean`: a histogram's
 * mean observation between two samples (sum delta / count delta), e.g. the lag of what was
 * applied meanwhile.
 */
export interface StatusFigure {
  label: string;
  metric: string;
  kind: 'gauge' | 'rate' | 'mean';
  /** How the page prints it. */
  unit: 'bytes' | 'seconds' | 'per_second' | 'count';
  /** Drawn as a chart over the kept history (otherwise only the current value is shown). */
  chart?: boolean;
}

export interface StatusSnapshot {
  /** Sample times, ms since the epoch, oldest first. */
  times: number[];
  /** Per figure label, one value per sample time (null: not computable yet, e.g. no observation). */
  series: Record<string, (number | null)[]>;
}

/** What every service's page shows about its process (from the default metrics every service has). */
export const PROCESS_STATUS_FIGURES: readonly StatusFigure[] = [
  {
    label: 'Resident memory',
    metric: 'process_resident_memory_bytes',
    kind: 'gauge',
    unit: 'bytes',
  },
];

/** How often the figures are sampled, and how long they are kept (the page's charts span this). */
export const STATUS_SAMPLE_INTERVAL = 2 * SECOND;
export const STATUS_KEPT = 10 * MINUTE;

type Totals = Map<string, { value: number; sum: number; count: number }>;

/**
 * Keeps the last STATUS_KEPT of a service's status figures, sampled from its own registry (the
 * numbers /metrics shows), so the status page has throughput and lag over the last minutes the
 * moment it opens. Sampling starts with start() and stops with stop().
 */
export class StatusHistory {
  private readonly registry: Registry;
  private readonly figures: readonly StatusFigure[];
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly times: number[] = [];
  private readonly series = new Map<string, (number | null)[]>();
  private previous: { at: number; totals: Totals } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    registry: Registry,
    figures: readonly StatusFigure[],
    intervalMs = STATUS_SAMPLE_INTERVAL,
  ) {
    this.registry = registry;
    this.figures = figures;
    this.intervalMs = intervalMs;
    this.keep = Math.ceil(STATUS_KEPT / intervalMs);
    for (const figure of figures) this.series.set(figure.label, []);
  }

  start(): void {
    if (this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): StatusSnapshot {
    return {
      times: [...this.times],
      series: Object.fromEntries([...this.series].map(([k, v]) => [k, [...v]])),
    };
  }

  /** Takes one sample now (the timer calls it; tests may too). */
  async sample(): Promise<void> {
    const at = Date.now();
    const totals = await this.totals();
    const previous = this.previous;
    this.previous = { at, totals };
    this.times.push(at);
    for (const figure of this.figures) {
      const now = totals.get(figure.metric);
      const before = previous?.totals.get(figure.metric);
      const seconds = previous ? (at - previous.at) / 1000 : 0;
      let value: number | null = null;
      if (now && figure.kind === 'gauge') value = now.value;
      else if (now && before && figure.kind === 'rate' && seconds > 0)
        value = Math.max(0, now.value - before.value) / seconds;
      else if (now && before && figure.kind === 'mean' && now.count > before.count)
        value = (now.sum - before.sum) / (now.count - before.count);
      this.series.get(figure.label)!.push(value);
    }
    if (this.times.length > this.keep) {
      this.times.shift();
      for (const values of this.series.values()) values.shift();
    }
  }

  /** Per metric: the sum of its samples (counters, gauges) or of its histogram's sum and count. */
  private async totals(): Promise<Totals> {
    const wanted = new Set(this.figures.map((figure) => figure.metric));
    const totals: Totals = new Map();
    for (const metric of await this.registry.getMetricsAsJSON()) {
      if (!wanted.has(metric.name)) continue;
      const entry = { value: 0, sum: 0, count: 0 };
      for (const sample of metric.values as { value: number; metricName?: string }[]) {
        if (sample.metricName?.endsWith('_sum')) entry.sum += sample.value;
        else if (sample.metricName?.endsWith('_count')) entry.count += sample.value;
        else if (!sample.metricName?.endsWith('_bucket')) entry.value += sample.value;
      }
      totals.set(metric.name, entry);
    }
    return totals;
  }
}
