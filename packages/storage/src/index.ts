export { isNoScript, loadScripts, LuaScript, type RedisClient } from './lua-script.ts';
export {
  applyStructureMember,
  checkTag,
  deleteFenced,
  fillTaggedIfLeased,
  fillHashIfLeased,
  fillIfLeased,
  refreshIfNewer,
  releaseLease,
  tagGeneration,
  truncateStructure,
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
export {
  decodeTaggedPayload,
  encodeTaggedPayload,
  TAGS_MARK,
  type TagGeneration,
} from './tagged-value.ts';
