import { CacheClient, type NearCache, type RedisClient } from '@freshen/cache';

/** A near-cache hit served later than the bound after a change Redis reported for its key. */
export interface LateNearRead {
  key: string;
  /** ms from the change (as the observer saw it) to the read served from the old copy. */
  lateByMs: number;
}

export interface NearReadFigures {
  nearHits: number;
  /** Changes of near-cached kinds the observer saw. */
  changesSeen: number;
  boundMs: number;
  late: LateNearRead[];
}

/**
 * Checks every read a near cache serves against the changes of its key. An observer (a second
 * client with its own tracking connections, never faulted) records when Redis reported each
 * change; a near hit whose entry was admitted before a change and is served more than
 * `boundMs` after it is late: the reader's own invalidation should have evicted it by then.
 */
export class NearReadAudit {
  private readonly observer: CacheClient;
  private readonly changes = new Map<string, number[]>();
  private readonly late: LateNearRead[] = [];
  private nearHits = 0;
  private changesSeen = 0;
  private readonly boundMs: number;
  private readonly stops: (() => void)[] = [];

  constructor(redis: RedisClient, prefixes: readonly string[], boundMs: number) {
    this.boundMs = boundMs;
    this.observer = new CacheClient(redis, { nearCache: { prefixes, probeIntervalMs: 0 } });
    this.stops.push(
      this.observer.near!.onInvalidation((key, atMs) => {
        this.changesSeen++;
        let times = this.changes.get(key);
        if (!times) this.changes.set(key, (times = []));
        times.push(atMs);
      }),
    );
  }

  ready(): Promise<void> {
    return this.observer.nearCacheReady();
  }

  /** Audits every hit of `near` from now on. */
  watch(near: NearCache): void {
    this.stops.push(
      near.onHit((key, admittedAtMs) => {
        this.nearHits++;
        const now = performance.now();
        const times = this.changes.get(key);
        if (!times) return;
        // The earliest change after the copy went in decides how late this read is.
        const missed = times.find((at) => at > admittedAtMs);
        if (missed !== undefined && now - missed > this.boundMs) {
          this.late.push({ key, lateByMs: now - missed });
        }
      }),
    );
  }

  figures(): NearReadFigures {
    return {
      nearHits: this.nearHits,
      changesSeen: this.changesSeen,
      boundMs: this.boundMs,
      late: [...this.late],
    };
  }

  close(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.observer.close();
  }
}
