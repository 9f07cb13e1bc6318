import { Router } from '../../src/http/router.ts';

const handler = async () => ({ status: 200 });

describe('Router', () => {
  const router = new Router()
    .add('GET', '/users/:id', handler)
    .add('GET', '/users/by-email/:email', handler)
    .add('PUT', '/users/:id/email', handler);

  it('matches patterns in order and decodes parameters', () => {
    expect(router.match('GET', '/users/42')).toMatchObject({
      pattern: '/users/:id',
      params: { id: '42' },
    });
    expect(router.match('GET', '/users/by-email/a%40b.c')).toMatchObject({
      pattern: '/users/by-email/:email',
      params: { email: 'a@b.c' },
    });
  });

  it("says 'method' when the path exists with another method, undefined when it does not", () => {
    expect(router.match('DELETE', '/users/42')).toBe('method');
    expect(router.match('GET', '/nope')).toBeUndefined();
    expect(router.match('GET', '/users/42/extra')).toBeUndefined();
  });
});
