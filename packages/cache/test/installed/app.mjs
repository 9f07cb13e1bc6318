// An application's cache-aside read, in plain ESM JavaScript, against the installed tarballs.
/* global process */
import { CacheClient } from '@freshen/cache';
import { defineKeyspace } from '@freshen/keys';
import { defineRules, invalidate, tableRule } from '@freshen/rules';
import { Redis } from 'ioredis';

const redis = new Redis(process.env.REDIS_URL);
const user = defineKeyspace({ prefix: process.env.KEY_PREFIX }).kind('user', ['id']);
const rules = defineRules(
  tableRule('public.users', {
    reads: ['id'],
    produces: [user],
    *keys({ new: row }) {
      if (row) yield invalidate(user, { id: row.id });
    },
  }),
);
const cache = new CacheClient(redis, { ttlMs: 60_000 });
let loads = 0;
const load = async () => {
  loads++;
  return { id: 7, name: 'Ada' };
};
const first = await cache.getOrLoad(user.key({ id: 7 }), load);
const second = await cache.getOrLoad(user.key({ id: 7 }), load);
process.stdout.write(`${JSON.stringify({ first, second, loads, tables: rules.tables })}\n`);
await redis.quit();
