import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface InFlightSource {
  inFlightEvents(): number;
  inFlightBytes(): number;
}

/** The reader's Prometheus metrics; label sets are small and fixed. */
export function createReaderMetrics(inFlight: InFlightSource, registry = new Registry()) {
  return {
    registry,
    eventsPublished: new Counter({
      name: 'freshen_reader_events_published_total',
      help: 'Change events acknowledged by Kafka.',
      registers: [registry],
    }),
    bytesPublished: new Counter({
      name: 'freshen_reader_bytes_published_total',
      help: 'Bytes of change events acknowledged by Kafka.',
      registers: [registry],
    }),
    transactionsConfirmed: new Counter({
      name: 'freshen_reader_confirms_total',
      help: 'Standby status updates sent to Postgres.',
      registers: [registry],
    }),
    publishFailures: new Counter({
      name: 'freshen_reader_publish_failures_total',
      help: 'Failed Kafka produce attempts (each is retried).',
      registers: [registry],
    }),
    inFlightEvents: new Gauge({
      name: 'freshen_reader_in_flight_events',
      help: 'Events received from Postgres and not yet acknowledged by Kafka.',
      registers: [registry],
      collect() {
        this.set(inFlight.inFlightEvents());
      },
    }),
    inFlightBytes: new Gauge({
      name: 'freshen_reader_in_flight_bytes',
      help: 'Bytes received from Postgres and not yet acknowledged by Kafka.',
      registers: [registry],
      collect() {
        this.set(inFlight.inFlightBytes());
      },
    }),
    paused: new Gauge({
      name: 'freshen_reader_paused',
      help: '1 while reading the slot is paused by backpressure.',
      registers: [registry],
    }),
    active: new Gauge({
      name: 'freshen_reader_active',
      help: '1 on the reader holding the slot lock and streaming; 0 on standbys.',
      registers: [registry],
    }),
    lagBytes: new Gauge({
      name: 'freshen_reader_replication_lag_bytes',
      help: "Current WAL position minus the slot's confirmed position.",
      registers: [registry],
    }),
    retainedBytes: new Gauge({
      name: 'freshen_reader_slot_retained_wal_bytes',
      help: 'WAL the slot makes Postgres keep (current position minus restart_lsn).',
      registers: [registry],
    }),
    lagSeconds: new Gauge({
      name: 'freshen_reader_replication_lag_seconds',
      help: 'Now minus the commit time of the newest event acknowledged by Kafka (0 when caught up).',
      registers: [registry],
    }),
    eventsReduced: new Counter({
      name: 'freshen_reader_events_reduced_total',
      help: 'Events too large for Kafka: how="columns" left their largest values out, how="truncate" became a truncate of their table.',
      labelNames: ['how'] as const,
      registers: [registry],
    }),
    ready: new Gauge({
      name: 'freshen_reader_ready',
      help: '1 while /readyz is 200 (streaming or standby, Kafka and Postgres answering).',
      registers: [registry],
    }),
    dependencyUp: new Gauge({
      name: 'freshen_reader_dependency_up',
      help: 'dependency="kafka"|"postgres": 1 while it answers, 0 while it does not.',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
    wedged: new Gauge({
      name: 'freshen_reader_wedged',
      help: '1 while events are in flight and Kafka has acknowledged nothing for WEDGED_AFTER_MS (/healthz is 503).',
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'freshen_reader_produce_latency_seconds',
      help: 'Time for Kafka to acknowledge one produce request (batch).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type ReaderMetrics = ReturnType<typeof createReaderMetrics>;
