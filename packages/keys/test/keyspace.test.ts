import { isFreshenError } from '@freshen/runtime';
import { defineKeyspace, leaseKeyFor, versionKeyFor } from '../src/index.ts';

describe('defineKeyspace', () => {
  const app = defineKeyspace({ prefix: 'app' });
  const user = app.kind('user', ['id']);
  const byEmail = app.kind('user-by-email', ['email']);
  const member = app.kind('team-member', ['team_id', 'user_id'], { hashTag: 'team_id' });
  const tagged = app.kind('profile', ['id'], { hashTag: true });

  it('builds the documented key form', () => {
    expect(user.key({ id: 42 })).toBe('app:user:42');
    expect(user.key({ id: 42n })).toBe('app:user:42');
    expect(user.key({ id: '42' })).toBe('app:user:42');
    expect(member.key({ team_id: 7, user_id: 3 })).toBe('app:team-member:{7}:3');
    expect(tagged.key({ id: 5 })).toBe('app:profile:{5}');
  });

  it('puts the keyspace version in the prefix', () => {
    const v2 = defineKeyspace({ prefix: 'app', version: 2 });
    expect(v2.kind('user', ['id']).key({ id: 42 })).toBe('app:v2:user:42');
  });

  it('encodes separators, braces and glob characters in values', () => {
    const key = byEmail.key({ email: 'a:b{c}*?[x]\\ é' });
    expect(key).toBe('app:user-by-email:a%3Ab%7Bc%7D%2A%3F%5Bx%5D%5C%20%C3%A9');
    expect(byEmail.parse(key)).toEqual({ email: 'a:b{c}*?[x]\\ é' });
  });

  it('parses its own keys only', () => {
    expect(user.parse('app:user:42')).toEqual({ id: '42' });
    expect(user.parse('app:user-by-email:42')).toBeUndefined();
    expect(user.parse('app:user:4:2')).toBeUndefined();
    expect(user.parse('app:user:%2a')).toBeUndefined(); // lowercase hex is not what key() writes
    expect(user.parse('app:user:%41')).toBeUndefined(); // an escaped safe character neither
    expect(member.parse('app:team-member:{7}:3')).toEqual({ team_id: '7', user_id: '3' });
    expect(member.parse('app:team-member:7:3')).toBeUndefined();
    expect(tagged.parse('app:profile:{5}')).toEqual({ id: '5' });
  });

  it('gives a pattern per kind', () => {
    expect(user.pattern()).toBe('app:user:*');
    expect(byEmail.pattern()).toBe('app:user-by-email:*');
  });

  it('names lease and version keys in the same slot', () => {
    expect(user.leaseKey({ id: 42 })).toBe('{app:user:42}:lease');
    expect(leaseKeyFor('app:user:42')).toBe('{app:user:42}:lease');
    expect(versionKeyFor('app:user:42')).toBe('{app:user:42}:version');
    expect(member.leaseKey({ team_id: 7, user_id: 3 })).toBe('{7}:lease:app:team-member:{7}:3');
    expect(user.versionKey({ id: 1 })).toBe(versionKeyFor(user.key({ id: 1 })));
  });

  it('rejects bad names, duplicate kinds and unencodable values', () => {
    const space = defineKeyspace({ prefix: 'x' });
    space.kind('a', ['id']);
    const codes = [
      () => defineKeyspace({ prefix: 'A:b' }),
      () => defineKeyspace({ prefix: 'x', version: 0 }),
      () => space.kind('a', ['id']),
      () => space.kind('v2', ['id']),
      () => space.kind('b', ['id', 'id']),
      () => space.kind('c', ['Id']),
      () => space.kind('d', ['id'], { hashTag: 'nope' as 'id' }),
      () => user.key({ id: Number.NaN }),
      () => user.key({ id: '\uD800' }),
      () => user.key({ id: null as unknown as string }),
    ].map((build) => {
      try {
        build();
        return 'no error';
      } catch (error) {
        return isFreshenError(error, 'KEY_INVALID') ? 'KEY_INVALID' : String(error);
      }
    });
    expect(codes).toEqual(Array(codes.length).fill('KEY_INVALID'));
  });

  it('makes a misspelt parameter a compile error', () => {
    // @ts-expect-error - 'idd' is not a parameter of user
    expect(() => user.key({ idd: 1 })).toThrow(/parameter id/);
  });
});
