/**
 * Session settings for the example API's connections. The store selects timestamps as ::text
 * so a filled value is byte-for-byte what the invalidator's refresh writes from the WAL; the
 * cdc-reader pins the same settings on its walsender, so both sides render time alike.
 */
export const PG_SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO';
