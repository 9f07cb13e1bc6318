// The same read in TypeScript: `tsc` must type-check it against the installed declarations.
import { CacheClient } from '@freshen/cache';
import { defineKeyspace } from '@freshen/keys';
import { Redis } from 'ioredis';

interface Profile {
  id: number;
  name: string;
}

const redis = new Redis(process.env.REDIS_URL ?? '');
const user = defineKeyspace({ prefix: 'app' }).kind('user', ['id']);
const cache = new CacheClient(redis, { ttlMs: 60_000 });
const profile: Profile = await cache.getOrLoad(user.key({ id: 7 }), async () => ({
  id: 7,
  name: 'Ada',
}));
// The declarations are real types, not `any`: a misspelt key parameter does not compile.
// @ts-expect-error 'idd' is not a parameter of the user kind
user.key({ idd: 7 });
process.stdout.write(profile.name);
await redis.quit();
