import type { Redis } from 'ioredis';

/** Redis's channel for client-side caching invalidations in RESP2 (CLIENT TRACKING docs). */
export const INVALIDATE_CHANNEL = '__redis__:invalidate';

export interface TrackingEvents {
  /** Tracking is on and subscribed: from now on every change under the prefixes is reported. */
  onReady(): void;
  /** The connection dropped: changes may have been missed. */
  onLost(): void;
  /** These keys changed (written, deleted, expired, evicted); `atMs` on performance.now(). */
  onKeys(keys: string[], atMs: number): void;
  /** The server emptied a database (FLUSHALL/FLUSHDB) or otherwise invalidated everything. */
  onFlushAll(): void;
}

/**
 * One connection to one Redis server in RESP2 broadcast tracking mode, redirected to itself:
 * `CLIENT TRACKING ON REDIRECT <own id> BCAST PREFIX ...`, then `SUBSCRIBE
 * __redis__:invalidate`. In broadcast mode the server keeps no per-key table (so nothing can
 * overflow) and reports every change of a key under the prefixes, whoever made it. Tracking
 * state belongs to the connection, so after any reconnect it is set up again, and the loss
 * itself is reported first (the owner flushes).
 */
export class TrackingConnection {
  private readonly connection: Redis;
  private readonly prefixes: readonly string[];
  private readonly events: TrackingEvents;
  private tracking = false;
  private closed = false;
  private trackingId: number | undefined;
  private warned = false;

  constructor(server: Redis, prefixes: readonly string[], events: TrackingEvents) {
    this.prefixes = prefixes;
    this.events = events;
    // Same address, TLS and credentials as the application's connection; resubscribing is ours
    // to do (tracking must be on before SUBSCRIBE), and no command may wait offline.
    this.connection = server.duplicate({
      lazyConnect: true,
      autoResubscribe: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectionName: 'freshen-near-cache',
      // A Cluster's node connections never retry (the Cluster reconnects them); this one must.
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 2_000),
    });
    this.connection.on('ready', () => void this.setUp());
    this.connection.on('close', () => this.lost());
    // Errors surface as 'close' (then a reconnect); without a listener ioredis prints them.
    this.connection.on('error', () => undefined);
    this.connection.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
      if (channel.toString() !== INVALIDATE_CHANNEL) return;
      // A null message means "everything" (FLUSHALL/FLUSHDB, or the server gave up tracking).
      if (message === null) this.events.onFlushAll();
      else {
        const keys = Array.isArray(message) ? message : [message];
        this.events.onKeys(
          keys.map((key) => key.toString()),
          performance.now(),
        );
      }
    });
  }

  get address(): string {
    return `${this.connection.options.host}:${this.connection.options.port}`;
  }

  get isTracking(): boolean {
    return this.tracking;
  }

  start(): void {
    this.connection.connect().catch(() => undefined); // retried by ioredis; reported as lost
  }

  /** For tests and operators: the server-side id of this connection (CLIENT KILL ID ...). */
  get clientId(): number | undefined {
    return this.trackingId;
  }

  close(): void {
    this.closed = true;
    this.connection.disconnect();
  }

  private async setUp(): Promise<void> {
    try {
      const id = (await this.connection.client('ID')) as number;
      const prefixArgs = this.prefixes.flatMap((prefix) => ['PREFIX', prefix]);
      await this.connection.call(
        'CLIENT',
        'TRACKING',
        'ON',
        'REDIRECT',
        id,
        'BCAST',
        ...prefixArgs,
      );
      await this.connection.subscribe(INVALIDATE_CHANNEL);
      this.trackingId = id;
      this.tracking = true;
      this.events.onReady();
    } catch (error) {
      // Could not set up (the connection broke, or the server refused, e.g. an ACL without
      // CLIENT): force a reconnect, which tries again; until then nothing is served near.
      if (!this.warned && !this.closed) {
        this.warned = true;
        process.emitWarning(
          `near cache: could not turn on CLIENT TRACKING on ${this.address} (${(error as Error).message}); reads go to Redis until it works. Allow the commands CLIENT (ID, TRACKING) and SUBSCRIBE for this user, or leave nearCache off`,
          { code: 'FRESHEN_NEAR_CACHE_TRACKING' },
        );
      }
      if (!this.closed) this.connection.disconnect(true);
    }
  }

  private lost(): void {
    const wasTracking = this.tracking;
    this.tracking = false;
    this.trackingId = undefined;
    if (wasTracking) this.events.onLost();
  }
}
