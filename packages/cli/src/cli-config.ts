import { readConfig, url, withStackEnv, type Env } from '@freshen/config';

/** The validation command's environment (flags carry the rest). */
const schema = {
  /** Postgres to validate against. Default: the local stack's (from .stack/env). */
  DATABASE_URL: url({
    doc: 'Postgres connection URL of the database the rules run against',
    protocols: ['postgres:', 'postgresql:'],
    secret: true,
  }),
};

export function readCliConfig(env: Env, cwd: string): { databaseUrl: string } {
  return { databaseUrl: readConfig(schema, withStackEnv(env, cwd)).DATABASE_URL };
}
