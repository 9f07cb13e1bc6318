import { PROCESS_STATUS_FIGURES, type StatusFigure } from '@freshen/runtime';

/** What the reader's status page (the ops server's `/`) shows. */
export const READER_STATUS_FIGURES: readonly StatusFigure[] = [
  {
    label: 'Changes published',
    metric: 'freshen_reader_events_published_total',
    kind: 'rate',
    unit: 'per_second',
    chart: true,
  },
  {
    label: 'Replication lag',
    metric: 'freshen_reader_replication_lag_bytes',
    kind: 'gauge',
    unit: 'bytes',
    chart: true,
  },
  {
    label: 'Replication lag (time)',
    metric: 'freshen_reader_replication_lag_seconds',
    kind: 'gauge',
    unit: 'seconds',
    chart: true,
  },
  {
    label: 'WAL retained by the slot',
    metric: 'freshen_reader_slot_retained_wal_bytes',
    kind: 'gauge',
    unit: 'bytes',
  },
  {
    label: 'Streaming (holds the slot lock)',
    metric: 'freshen_reader_active',
    kind: 'gauge',
    unit: 'count',
  },
  {
    label: 'Events in flight',
    metric: 'freshen_reader_in_flight_events',
    kind: 'gauge',
    unit: 'count',
  },
  ...PROCESS_STATUS_FIGURES,
];
