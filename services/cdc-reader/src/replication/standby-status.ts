/**
 * Standby status update ('r'), see "Streaming Replication Protocol" in the Postgres docs
 * (protocol-replication.html): Byte1('r'), Int64 written, Int64 flushed, Int64 applied,
 * Int64 clock (µs since 2000-01-01), Byte1 reply-requested.
 *
 * We write our own instead of pg-logical-replication's `acknowledge(lsn)`, which sends
 * `lsn + 1`: Postgres skips, on restart, every transaction whose commit record starts before
 * the confirmed position, and a transaction committed right after another can start exactly
 * at the first one's end LSN, so confirming `end + 1` could skip it.
 */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

export function standbyStatusUpdate(
  lsn: bigint,
  replyRequested: boolean,
  nowMs = Date.now(),
): Buffer {
  const message = Buffer.alloc(34);
  message.write('r', 0, 'latin1');
  message.writeBigUInt64BE(lsn, 1); // written
  message.writeBigUInt64BE(lsn, 9); // flushed: what the slot's confirmed_flush_lsn becomes
  message.writeBigUInt64BE(lsn, 17); // applied
  message.writeBigInt64BE(BigInt(nowMs - POSTGRES_EPOCH_MS) * 1000n, 25);
  message.writeUInt8(replyRequested ? 1 : 0, 33);
  return message;
}
