import { parseLsn } from '@freshen/change-event';

/**
 * The version stored beside a refreshed key: the commit LSN as 16 zero-padded lowercase hex
 * digits (64 bits), so the refresh script can order versions by plain string comparison.
 */
export function lsnToVersion(lsn: string): string {
  return parseLsn(lsn).toString(16).padStart(16, '0');
}
