import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findStackEnvFile, toHostPort, withStackEnv } from '@freshen/config';

export interface StackSettings {
  databaseUrl: string;
  kafkaBrokers: string[];
  redisUrl: string;
  /** host:port of each master of the stack's three-master Redis Cluster. */
  redisClusterNodes: { host: string; port: number }[];
}

/**
 * Connection settings of the local stack: the environment, filled in from `.stack/env`
 * (written by `npm run stack:up`). Throws one clear instruction when the stack is not up.
 */
export function stackSettings(): StackSettings {
  // Tests are not services: reading process.env here is the test harness's equivalent of config.ts.
  const env = withStackEnv(process.env, process.cwd());
  const missing = ['DATABASE_URL', 'KAFKA_BROKERS', 'REDIS_URL'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set and no .stack/env found. Start the local stack first: npm run stack:up`,
    );
  }
  return {
    databaseUrl: env.DATABASE_URL!,
    kafkaBrokers: env.KAFKA_BROKERS!.split(','),
    redisUrl: env.REDIS_URL!,
    redisClusterNodes: (env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean).map(toHostPort),
  };
}

/** The `.stack` folder `npm run stack:up` wrote (env, Kafka jars, pid files); undefined if none. */
export function stackDir(): string | undefined {
  const envFile = findStackEnvFile(process.cwd());
  return envFile && path.dirname(envFile);
}

/** The pid of the stack's Kafka broker (benchmarks count its CPU); undefined when not known. */
export function stackKafkaPid(): number | undefined {
  const dir = stackDir();
  if (!dir) return undefined;
  try {
    const pid = Number(readFileSync(path.join(dir, 'kafka', 'kafka.pid'), 'utf8'));
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
