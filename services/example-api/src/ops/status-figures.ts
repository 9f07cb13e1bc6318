import { PROCESS_STATUS_FIGURES, type StatusFigure } from '@freshen/runtime';

/** What the example API's status page (the ops server's `/`) shows. */
export const API_STATUS_FIGURES: readonly StatusFigure[] = [
  {
    label: 'Requests',
    metric: 'freshen_api_requests_total',
    kind: 'rate',
    unit: 'per_second',
    chart: true,
  },
  {
    label: 'Cache hits',
    metric: 'freshen_cache_hits_total',
    kind: 'rate',
    unit: 'per_second',
    chart: true,
  },
  { label: 'Cache misses', metric: 'freshen_cache_misses_total', kind: 'rate', unit: 'per_second' },
  {
    label: 'Cache read (mean)',
    metric: 'freshen_cache_read_duration_seconds',
    kind: 'mean',
    unit: 'seconds',
    chart: true,
  },
  ...PROCESS_STATUS_FIGURES,
];
