import type { HttpWorkloadCounts } from './http-workload.ts';
import { quantileBetween, total, type MetricSnapshot } from './prom-text.ts';

/** What one second of the demo looked like: a scrape of each service's /metrics. */
export interface Scrape {
  at: number;
  reader: MetricSnapshot;
  invalidator: MetricSnapshot;
  api: MetricSnapshot;
}

const LAG = 'freshen_invalidator_end_to_end_lag_seconds';
const NEAR_STALENESS = 'freshen_cache_near_staleness_seconds';

/** The demo's few lines: rates over the last interval (between two scrapes) and totals. */
export function dashboardLines(
  previous: Scrape,
  now: Scrape,
  workload: HttpWorkloadCounts,
): string[] {
  const seconds = Math.max((now.at - previous.at) / 1000, 0.001);
  const delta = (source: 'reader' | 'invalidator' | 'api', name: string) =>
    total(now[source], name) - total(previous[source], name);
  const rate = (source: 'reader' | 'invalidator' | 'api', name: string) =>
    delta(source, name) / seconds;

  const changes = rate('reader', 'freshen_reader_events_published_total');
  const deleted = rate('invalidator', 'freshen_invalidator_keys_deleted_total');
  const refreshed = rate('invalidator', 'freshen_invalidator_keys_refreshed_total');
  const tags = rate('invalidator', 'freshen_invalidator_tag_invalidations_total');
  const structureOps = rate('invalidator', 'freshen_invalidator_structure_ops_total');
  const hits = delta('api', 'freshen_cache_hits_total');
  const misses = delta('api', 'freshen_cache_misses_total');
  const allHits = total(now.api, 'freshen_cache_hits_total');
  const allMisses = total(now.api, 'freshen_cache_misses_total');
  const nearHits = delta('api', 'freshen_cache_near_hits_total');
  const nearMisses = delta('api', 'freshen_cache_near_misses_total');
  const allNearHits = total(now.api, 'freshen_cache_near_hits_total');
  const allNearMisses = total(now.api, 'freshen_cache_near_misses_total');
  const nearStalenessP99 = quantileBetween(previous.api, now.api, NEAR_STALENESS, 0.99);
  const lagCount = delta('invalidator', `${LAG}_count`);
  const lagAverage = lagCount > 0 ? delta('invalidator', `${LAG}_sum`) / lagCount : undefined;
  const lagP99 = quantileBetween(previous.invalidator, now.invalidator, LAG, 0.99);

  const percent = (part: number, whole: number) =>
    whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '-';
  const ms = (value: number | undefined) =>
    value === undefined ? '-' : `${(value * 1000).toFixed(1)} ms`;
  const n = (value: number) => value.toFixed(0).padStart(5);
  return [
    `API requests/s     ${n(rate('api', 'freshen_api_requests_total'))}   (reads ${workload.reads}, writes ${workload.writes}, errors ${workload.errors} so far)`,
    `changes/s          ${n(changes)}   (row changes the cdc-reader published to Kafka)`,
    `invalidations/s    ${n(deleted + refreshed)}   (keys deleted ${deleted.toFixed(0)}/s, refreshed ${refreshed.toFixed(0)}/s)`,
    `tag invalidations/s ${n(tags).slice(1)}   (category listings made stale at once, whatever their number)`,
    `structure ops/s    ${n(structureOps)}   (leaderboard and member-id set member changes, applied or refused as replays)`,
    `cache hit rate    ${percent(hits, hits + misses).padStart(6)}   (last second; ${percent(allHits, allHits + allMisses)} overall; fills refused by an invalidation: ${total(now.api, 'freshen_cache_fills_refused_total')})`,
    `near-cache hits   ${percent(nearHits, nearHits + nearMisses).padStart(6)}   (reads answered in process, last second; ${percent(allNearHits, allNearHits + allNearMisses)} overall; invalidations received ${rate('api', 'freshen_cache_near_invalidations_total').toFixed(0)}/s; flushes ${total(now.api, 'freshen_cache_near_flushes_total')}; staleness p99 <= ${nearStalenessP99 === undefined ? '-' : ms(nearStalenessP99)})`,
    `end-to-end lag  ${ms(lagAverage).padStart(8)}   (average commit -> Redis, last second; p99 <= ${lagP99 === undefined ? '-' : ms(lagP99)})`,
  ];
}
