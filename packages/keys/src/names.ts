import { FreshenError } from '@freshen/runtime';

/** Keyspace prefixes, kind names and parameter names: lowercase, digits, `_` and `-`. */
const NAME = /^[a-z0-9_-]+$/;
/** Kind names that would read as a keyspace version segment (`app:v2:...`). */
const VERSION_LIKE = /^v[0-9]+$/;

export function checkName(what: string, name: string): void {
  if (!NAME.test(name)) {
    throw new FreshenError(
      'KEY_INVALID',
      `${what} ${JSON.stringify(name)} is not allowed: use lowercase letters, digits, '_' and '-' only (the ':' and '{}' in keys are Freshen's separators)`,
    );
  }
}

export function checkKindName(name: string): void {
  checkName('key kind name', name);
  if (VERSION_LIKE.test(name)) {
    throw new FreshenError(
      'KEY_INVALID',
      `key kind name ${JSON.stringify(name)} looks like a keyspace version segment and could collide with a versioned keyspace's keys; rename the kind (e.g. '${name}-item')`,
    );
  }
}
