import {
  hashSlot,
  memberVersionsKeyFor,
  structureFloorKeyFor,
  structureKeysFor,
  tombstonesKeyFor,
  withCompanions,
} from '../../src/index.ts';

describe('structure companions', () => {
  it.each(['app:leaderboard', 'app:team-members:{7}', 'app:profile:{42}', 'a{}b'])(
    'share the slot of %s and differ from each other and from its lease and version',
    (key) => {
      const keys = structureKeysFor(key);
      expect(keys).toEqual([
        key,
        memberVersionsKeyFor(key),
        tombstonesKeyFor(key),
        structureFloorKeyFor(key),
      ]);
      expect(new Set(keys.map(hashSlot))).toEqual(new Set([hashSlot(key)]));
      expect(new Set([...keys, ...withCompanions(key)]).size).toBe(6);
    },
  );
});
