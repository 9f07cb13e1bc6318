export { hashSlot, hashTagOf } from './cluster/hash-slot.ts';
export { NEAR_PROBE_PREFIX, nearProbeKey } from './cluster/near-probe-key.ts';
export {
  leaseKeyFor,
  leasePatternsFor,
  memberVersionsKeyFor,
  structureFloorKeyFor,
  structureKeysFor,
  tombstonesKeyFor,
  versionKeyFor,
  withCompanions,
} from './cluster/companion-keys.ts';
export { type KeyValue } from './encoding/param-encoding.ts';
export {
  defineKeyspace,
  type KeyKind,
  type KeyParams,
  type Keyspace,
  type KeyspaceOptions,
  type KindOptions,
  type ParsedKeyParams,
} from './keyspace.ts';
export { isTagKind, type Tag, type TagKind, type TagParams } from './tag-kind.ts';
