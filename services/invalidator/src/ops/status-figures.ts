import { PROCESS_STATUS_FIGURES, type StatusFigure } from '@freshen/runtime';

/** What the invalidator's status page (the ops server's `/`) shows. */
export const INVALIDATOR_STATUS_FIGURES: readonly StatusFigure[] = [
  {
    label: 'Changes applied',
    metric: 'freshen_invalidator_events_total',
    kind: 'rate',
    unit: 'per_second',
    chart: true,
  },
  {
    label: 'Keys deleted',
    metric: 'freshen_invalidator_keys_deleted_total',
    kind: 'rate',
    unit: 'per_second',
  },
  {
    label: 'Keys refreshed',
    metric: 'freshen_invalidator_keys_refreshed_total',
    kind: 'rate',
    unit: 'per_second',
  },
  {
    label: 'Commit to invalidation (mean)',
    metric: 'freshen_invalidator_end_to_end_lag_seconds',
    kind: 'mean',
    unit: 'seconds',
    chart: true,
  },
  {
    label: 'Dead letters (since start)',
    metric: 'freshen_invalidator_dead_letters_total',
    kind: 'gauge',
    unit: 'count',
  },
  {
    label: 'Redis memory used',
    metric: 'freshen_redis_used_memory_bytes',
    kind: 'gauge',
    unit: 'bytes',
  },
  {
    label: 'Redis evicted keys',
    metric: 'freshen_redis_evicted_keys_total',
    kind: 'gauge',
    unit: 'count',
  },
  ...PROCESS_STATUS_FIGURES,
];
