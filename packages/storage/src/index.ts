export { isNoScript, loadScripts, LuaScript, type RedisClient } from './lua-script.ts';
export {
  applyStructureMember,
  deleteFenced,
  fillHashIfLeased,
  fillIfLeased,
  refreshIfNewer,
  releaseLease,
} from './scripts.ts';
export {
  decodeHashMeta,
  decodeStoredValue,
  encodeHashMeta,
  encodeStoredValue,
  ENVELOPE_MARK,
  HASH_META_FIELD,
  storedPayload,
  type StoredValue,
} from './stored-value.ts';
export { eventVersion } from './version.ts';
