import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;

/**
 * One Lua script of the storage contract, run with EVALSHA, falling back to EVAL when the
 * server does not know it yet (after a restart or failover, or on a cluster node that never
 * saw it). Unlike ioredis's defineCommand it adds no methods to the host application's client.
 * Every key a script touches is passed in KEYS and shares one cluster slot (see
 * @freshen/keys), so a script runs on a cluster as on a single server.
 */
export class LuaScript {
  readonly name: string;
  readonly sha: string;
  readonly source: string;
  /** 'variadic': the script takes as many keys as it is given (a `-n.lua` file). */
  readonly numberOfKeys: number | 'variadic';

  constructor(name: string, script: { source: string; numberOfKeys: number | 'variadic' }) {
    this.name = name;
    this.source = script.source;
    this.numberOfKeys = script.numberOfKeys;
    this.sha = createHash('sha1').update(script.source).digest('hex');
  }

  async run(
    redis: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    this.checkKeys(keys);
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Queues EVALSHA on a pipeline. A reply that is a NOSCRIPT error (isNoScript) means the
   * server lost its script cache: load the scripts (loadScripts) and run the work again.
   */
  queue(
    pipeline: ChainableCommander,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): void {
    this.checkKeys(keys);
    pipeline.evalsha(this.sha, keys.length, ...keys, ...args);
  }

  private checkKeys(keys: readonly string[]): void {
    if (this.numberOfKeys !== 'variadic' && keys.length !== this.numberOfKeys) {
      throw new Error(`script ${this.name} expects ${this.numberOfKeys} keys, got ${keys.length}`);
    }
  }
}

export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** SCRIPT LOAD of the given scripts on the server, or on every master of a cluster. */
export async function loadScripts(
  redis: RedisClient,
  scripts: readonly LuaScript[],
): Promise<void> {
  const servers = 'nodes' in redis ? redis.nodes('master') : [redis];
  await Promise.all(
    servers.flatMap((server) => scripts.map((script) => server.script('LOAD', script.source))),
  );
}
