/**
 * Which position the slot may confirm. Postgres resumes a slot after its confirmed position
 * and skips every transaction whose commit record starts before it, so a transaction's commit
 * end LSN may be confirmed only when every event of it, and of every transaction received
 * before it, has been acknowledged by Kafka.
 */
export interface TrackedTransaction {
  /** Postgres's (32-bit) transaction id, from the begin message. */
  xid: number;
  /** Events received and not yet acknowledged. */
  pending: number;
  /** End LSN of the commit record; undefined until the commit message arrives. */
  endLsn: bigint | undefined;
}

export class LsnTracker {
  private readonly queue: TrackedTransaction[] = [];
  private head = 0;
  private durable: bigint;

  /** `start` is the slot's confirmed position when streaming starts. */
  constructor(start: bigint) {
    this.durable = start;
  }

  /** The position every change before which is in Kafka: safe to confirm. */
  get durableLsn(): bigint {
    return this.durable;
  }

  /** True when nothing is received-but-unacknowledged and no transaction is open. */
  get idle(): boolean {
    return this.head === this.queue.length;
  }

  begin(xid: number): TrackedTransaction {
    const txn: TrackedTransaction = { xid, pending: 0, endLsn: undefined };
    this.queue.push(txn);
    return txn;
  }

  /** Counts one more event of `txn` as waiting for Kafka. */
  add(txn: TrackedTransaction): void {
    txn.pending++;
  }

  commit(txn: TrackedTransaction, endLsn: bigint): void {
    txn.endLsn = endLsn;
    this.advance();
  }

  /** Kafka acknowledged one event of `txn`. */
  ack(txn: TrackedTransaction): void {
    txn.pending--;
    if (txn.pending < 0) throw new Error('LsnTracker: more acks than events (a bug in the caller)');
    this.advance();
  }

  /**
   * A keepalive said the server has sent everything before `walEnd`. If nothing is in flight,
   * every transaction before it was either delivered or not published, so it may be confirmed;
   * this keeps an idle slot's confirmed position (and the WAL it retains) moving. Returns
   * whether the durable position moved.
   */
  observeIdlePosition(walEnd: bigint): boolean {
    if (!this.idle || walEnd <= this.durable) return false;
    this.durable = walEnd;
    return true;
  }

  private advance(): void {
    while (this.head < this.queue.length) {
      const txn = this.queue[this.head]!;
      if (txn.endLsn === undefined || txn.pending > 0) break;
      if (txn.endLsn > this.durable) this.durable = txn.endLsn;
      this.head++;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
