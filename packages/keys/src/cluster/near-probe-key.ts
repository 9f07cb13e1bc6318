import { tagForSlot } from './hash-slot.ts';

/**
 * Keys a near cache writes to measure its own invalidation delay (@freshen/cache, near/). The
 * prefix is not one a keyspace can have (keyspace prefixes use `[a-z0-9_-]` and are followed
 * by `:`, never `freshen-near-probe:` unless declared so on purpose).
 */
export const NEAR_PROBE_PREFIX = 'freshen-near-probe:';

/**
 * The probe key of one process (`owner`, unique per process) on the Redis node serving `slot`
 * (a Cluster), or on the only server (`slot` undefined).
 */
export function nearProbeKey(owner: string, slot?: number): string {
  return slot === undefined
    ? `${NEAR_PROBE_PREFIX}${owner}`
    : `${NEAR_PROBE_PREFIX}{${tagForSlot(slot)}}:${owner}`;
}
