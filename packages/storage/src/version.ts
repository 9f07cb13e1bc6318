import { lsnHex, type ChangeEvent } from '@freshen/change-event';

/**
 * The version stored beside a refreshed key: the commit LSN (16 hex digits, 64 bits) followed
 * by the change's position in its transaction (8 hex digits), zero-padded and lowercase so the
 * refresh script orders versions by plain string comparison.
 *
 * The position matters: every change of one transaction carries the same commit LSN, so a row
 * updated twice in one transaction would otherwise give two equal versions, and when a batch
 * boundary fell between them the second (final) value would be refused as a replay.
 */
export function eventVersion(event: Pick<ChangeEvent, 'lsn' | 'seq'>): string {
  return lsnDigits(event.lsn) + event.seq.toString(16).padStart(8, '0');
}

// The changes of a transaction share its commit LSN: the invalidator asks for one LSN's
// digits many times in a row, so the last answer is kept.
let lastLsn = '';
let lastDigits = '';

function lsnDigits(lsn: string): string {
  if (lsn !== lastLsn) {
    lastDigits = lsnHex(lsn);
    lastLsn = lsn;
  }
  return lastDigits;
}
