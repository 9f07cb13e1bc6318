export { OPS, WIRE_FORMAT_VERSION, type ChangeEvent, type Op, type Row } from './change-event.ts';
export { decodeEvent, encodeEvent } from './codec.ts';
export { compareLsn, formatLsn, isLsn, lsnHex, parseLsn } from './lsn.ts';
export { messageKey } from './message-key.ts';
