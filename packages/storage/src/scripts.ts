import { LuaScript } from './lua-script.ts';
import { LUA_SOURCES } from './lua/lua-sources.generated.ts';

// The scripts of the storage contract, one .lua file each in ./lua (see the comment at the top
// of each file for its keys, arguments and reply). The cache runs the fill and release scripts,
// the invalidator the refresh and the delete: both sides read these same files.

export const fillIfLeased = new LuaScript('fill-if-leased', LUA_SOURCES['fill-if-leased']);
export const fillHashIfLeased = new LuaScript(
  'fill-hash-if-leased',
  LUA_SOURCES['fill-hash-if-leased'],
);
export const releaseLease = new LuaScript('release-lease', LUA_SOURCES['release-lease']);
export const refreshIfNewer = new LuaScript('refresh-if-newer', LUA_SOURCES['refresh-if-newer']);
export const deleteFenced = new LuaScript('delete-fenced', LUA_SOURCES['delete-fenced']);
export const applyStructureMember = new LuaScript(
  'apply-structure-member',
  LUA_SOURCES['apply-structure-member'],
);
// The invalidator's TRUNCATE of a structure: removes members older than it, raises its floor.
export const truncateStructure = new LuaScript(
  'truncate-structure',
  LUA_SOURCES['truncate-structure'],
);
// Tags (tagged-value.ts): the cache's tagged fill, and its per-tag check on Redis Cluster.
export const fillTaggedIfLeased = new LuaScript(
  'fill-tagged-if-leased',
  LUA_SOURCES['fill-tagged-if-leased'],
);
export const checkTag = new LuaScript('check-tag', LUA_SOURCES['check-tag']);
export const tagGeneration = new LuaScript('tag-generation', LUA_SOURCES['tag-generation']);
