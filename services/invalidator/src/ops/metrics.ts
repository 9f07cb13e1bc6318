import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The invalidator's Prometheus metrics, on their own registry (one per instance; tests run several). */
export function createMetrics(registry = new Registry()) {
  const prefix = 'freshen_invalidator_';
  return {
    registry,
    /** Every consumed message; rate() of this is events/s. */
    events: new Counter({
      name: `${prefix}events_total`,
      help: 'Change events consumed (all outcomes).',
      registers: [registry],
    }),
    skipped: new Counter({
      name: `${prefix}events_skipped_total`,
      help: 'Change events of tables that have no rules (not an error).',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: `${prefix}dead_letters_total`,
      help: 'Messages sent to the dead-letter topic, by error code.',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    keysDeleted: new Counter({
      name: `${prefix}keys_deleted_total`,
      help: 'Cache keys unlinked (with lease and version) by delete actions.',
      registers: [registry],
    }),
    keysRefreshed: new Counter({
      name: `${prefix}keys_refreshed_total`,
      help: 'Cache keys written by refresh actions.',
      registers: [registry],
    }),
    refreshesRefused: new Counter({
      name: `${prefix}refreshes_refused_total`,
      help: 'Refreshes not written because Redis held the same or a newer version (replayed or late events).',
      registers: [registry],
    }),
    structureOps: new Counter({
      name: `${prefix}structure_ops_total`,
      help: 'Changes to members of structures kept by rules, by command (zadd, zrem, sadd, srem, hset, hdel) and outcome (applied; refused: the member held the same or a newer version, a replayed or late event; wrong_type: the key holds another Redis type).',
      labelNames: ['action', 'outcome'] as const,
      registers: [registry],
    }),
    tagInvalidations: new Counter({
      name: `${prefix}tag_invalidations_total`,
      help: 'Tags invalidated by invalidateTag actions (generation keys unlinked; TRUNCATE not counted).',
      registers: [registry],
    }),
    truncates: new Counter({
      name: `${prefix}truncates_total`,
      help: 'TRUNCATE events applied by SCAN + UNLINK.',
      registers: [registry],
    }),
    truncatedKeys: new Counter({
      name: `${prefix}truncated_keys_total`,
      help: 'Cache keys unlinked by truncates.',
      registers: [registry],
    }),
    redisRetries: new Counter({
      name: `${prefix}redis_retries_total`,
      help: 'Redis work retried after a failure (fetching is paused meanwhile).',
      registers: [registry],
    }),
    redisUp: new Gauge({
      name: `${prefix}redis_up`,
      help: '1 while Redis acknowledges work, 0 while retrying.',
      registers: [registry],
    }),
    unready: new Gauge({
      name: `${prefix}unready`,
      help: '1 while this condition keeps /readyz at 503: kafka (cannot fetch), redis (cannot apply, or refused), commit (offset commits fail), dead_letter (a message can be neither applied nor dead-lettered).',
      labelNames: ['condition'] as const,
      registers: [registry],
    }),
    wedged: new Gauge({
      name: `${prefix}wedged`,
      help: '1 while work is pending and nothing progressed for WEDGED_AFTER_MS (/healthz 503).',
      registers: [registry],
    }),
    deadLetterReferences: new Counter({
      name: `${prefix}dead_letter_references_total`,
      help: 'Dead letters too large for the DLQ, sent as a reference to their origin instead.',
      registers: [registry],
    }),
    redisRefusals: new Counter({
      name: `${prefix}redis_refusals_total`,
      help: 'Redis errors only the operator can fix, by cause (WRONGPASS, NOAUTH, NOPERM, TLS_MISMATCH).',
      labelNames: ['cause'] as const,
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: `${prefix}batch_size`,
      help: 'Messages per handled partition batch.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000],
      registers: [registry],
    }),
    lag: new Histogram({
      name: `${prefix}end_to_end_lag_seconds`,
      help: 'Commit timestamp of a change to Redis acknowledging its actions.',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}

export type InvalidatorMetrics = ReturnType<typeof createMetrics>;
